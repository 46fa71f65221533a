namespace ModelPrune.Engine.Tests.Statistics;

/// <summary>Σx² and XᵀX of one activation computed the slow, obvious way from the activation values themselves.</summary>
internal sealed class ReferenceStatistics
{
    public ReferenceStatistics(int features)
    {
        Features = features;
        NormsSquared = new double[features];
        Gram = new double[features * features];
    }

    public int Features { get; }

    public long Tokens { get; private set; }

    public double[] NormsSquared { get; }

    public double[] Gram { get; }

    /// <summary>Adds the rows of an activation whose last axis is the feature axis.</summary>
    public void Add(float[] activation)
    {
        Assert.Equal(0, activation.Length % Features);
        var rows = activation.Length / Features;
        for (var t = 0; t < rows; t++)
        {
            for (var i = 0; i < Features; i++)
            {
                double xi = activation[t * Features + i];
                NormsSquared[i] += xi * xi;
                for (var j = 0; j < Features; j++)
                {
                    Gram[i * Features + j] += xi * activation[t * Features + j];
                }
            }
        }

        Tokens += rows;
    }
}
