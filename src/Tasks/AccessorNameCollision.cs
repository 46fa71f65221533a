namespace ModelPrune.Tasks;

/// <summary>A model whose file name gave a class name already taken, and the name it got instead.</summary>
internal sealed class AccessorNameCollision
{
    public AccessorNameCollision(AccessorNameRequest request, string takenBy, string assignedName)
    {
        Request = request;
        TakenBy = takenBy;
        AssignedName = assignedName;
    }

    public AccessorNameRequest Request { get; }

    /// <summary>The model that holds the name, or a description of the generated member that does.</summary>
    public string TakenBy { get; }

    public string AssignedName { get; }
}
