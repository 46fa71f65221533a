namespace ModelPrune.Engine.Common;

/// <summary>
/// Standard normal samples by Box–Muller on System.Random: the seeded generator's sequence is fixed across
/// runtimes, so synthetic evaluation inputs and calibration data (and its hash) are reproducible. One
/// generator for both, so the same seed gives the same values in either.
/// </summary>
internal static class SeededNormal
{
    public static double[] Sample(Random random, int n)
    {
        var data = new double[n];
        for (var i = 0; i < n; i += 2)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var radius = Math.Sqrt(-2.0 * Math.Log(u1));
            data[i] = radius * Math.Cos(2.0 * Math.PI * u2);
            if (i + 1 < n)
            {
                data[i + 1] = radius * Math.Sin(2.0 * Math.PI * u2);
            }
        }

        return data;
    }
}
