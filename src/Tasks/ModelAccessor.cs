namespace ModelPrune.Tasks;

/// <summary>One nested class of the generated file: a model's names and the report values baked into it.</summary>
internal sealed class ModelAccessor
{
    public ModelAccessor(string className, string displayName, string modelResourceName, string reportResourceName, ModelSummary summary)
    {
        ClassName = className;
        DisplayName = displayName;
        ModelResourceName = modelResourceName;
        ReportResourceName = reportResourceName;
        Summary = summary;
    }

    public string ClassName { get; }

    public string DisplayName { get; }

    public string ModelResourceName { get; }

    public string ReportResourceName { get; }

    public ModelSummary Summary { get; }
}
