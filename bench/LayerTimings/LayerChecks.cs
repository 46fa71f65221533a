using System.Globalization;

namespace ModelPrune.Bench.LayerTimings;

/// <summary>
/// The check mode: that the timed steps compute what the reference computed (Wanda masks, SparseGPT error
/// and mask agreement against the published code's output), and how many cores each step kept busy under
/// this process's thread setting. Writes a human-readable report to stdout and, per step, a line
/// "layer step cores_busy working_threads" (tab-separated) to <c>coresFile</c> for bench/layers.sh.
/// </summary>
internal static class LayerChecks
{
    public static int Run(int batchRows, string? coresFile)
    {
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(invariant,
            $"threads: Environment.ProcessorCount = {Environment.ProcessorCount} (DOTNET_PROCESSOR_COUNT={Environment.GetEnvironmentVariable("DOTNET_PROCESSOR_COUNT") ?? "unset"}), batch rows = {batchRows}"));
        var failures = 0;
        var cores = new List<string>();
        foreach (var layer in ReferenceFolder.Layers)
        {
            using var steps = new LayerSteps(layer, batchRows);
            var data = steps.Data;
            Console.WriteLine($"{layer} ({data.Out}x{data.In}, {data.Tokens} tokens, {data.Batches.Count} batches)");

            var norms = steps.CollectWanda().NormsSquared;
            var worst = 0.0;
            for (var j = 0; j < data.In; j++)
            {
                double exact = 0;
                for (var t = 0; t < data.Tokens; t++) exact += (double)data.X[(t * data.In) + j] * data.X[(t * data.In) + j];
                worst = Math.Max(worst, Math.Abs(norms[j] - exact) / exact);
            }

            Console.WriteLine(string.Create(invariant, $"  statistics: Σx² from ORT vs float64 over X: max rel. diff {worst:E2}"));
            if (worst > 1e-4) failures++;

            foreach (var (pattern, select) in new (string, Action)[] { ("unstructured50", steps.WandaUnstructured), ("2of4", steps.WandaTwoOfFour) })
            {
                select();
                var reference = ReferenceResults.WandaMask(data, pattern);
                var differ = reference.Where((pruned, i) => pruned != steps.Mask[i]).Count();
                // README section 6: at most 3 near-tie decisions per layer and pattern may flip.
                Console.WriteLine($"  wanda {pattern}: {differ} mask entries differ from the reference");
                if (differ > 6) failures++;
            }

            foreach (var (pattern, prune) in new (string, Func<object>)[] { ("unstructured50", steps.SparseGptUnstructured), ("2of4", steps.SparseGptTwoOfFour) })
            {
                prune();
                var reference = ReferenceResults.SparseGptWeights(data, pattern);
                var agree = reference.Where((w, i) => (w == 0f) == (steps.Pruned[i] == 0f)).Count() / (double)reference.Length;
                var error = ReferenceResults.RelativeError(data, steps.Pruned);
                var expected = ReferenceResults.Error(layer, "sparsegpt", pattern == "2of4" ? "2:4" : pattern);
                // README section 6's acceptance for a float32 re-implementation.
                var ok = agree >= 0.995 && Math.Abs(error / expected - 1) <= 0.01;
                Console.WriteLine(string.Create(invariant,
                    $"  sparsegpt {pattern}: mask agreement {agree:P3}, rel_err {error:G5} vs reference {expected:G5} ({(error / expected) - 1:+0.00%;-0.00%}) {(ok ? "ok" : "OUTSIDE README tolerance")}"));
                if (!ok) failures++;
            }

            var timed = new (string Step, Action Run)[]
            {
                ("stats_wanda", () => steps.CollectWanda()),
                ("stats_sparsegpt", () => steps.CollectSparseGpt()),
                ("stats_setup", () => steps.CollectSetupOnly()),
                ("wanda_unstructured50", steps.WandaUnstructured),
                ("wanda_2of4", steps.WandaTwoOfFour),
                ("sparsegpt_unstructured50", () => steps.SparseGptUnstructured()),
                ("sparsegpt_2of4", () => steps.SparseGptTwoOfFour()),
                ("sparsegpt_factorisation", steps.SparseGptFactorisation),
            };
            foreach (var (step, run) in timed)
            {
                var (ms, busy, working, runs) = ThreadUse.Measure(run, TimeSpan.FromMilliseconds(600));
                Console.WriteLine(string.Create(invariant, $"  {step,-26} {ms,9:F2} ms/run over {runs,4} runs, {busy:F2} cores busy, {working} working threads"));
                cores.Add(string.Create(invariant, $"{layer}\t{step}\t{busy:F2}\t{working}"));
            }
        }

        if (coresFile is not null) File.WriteAllLines(coresFile, cores);
        Console.WriteLine(failures == 0 ? "checks: all passed" : $"checks: {failures} FAILED");
        return failures == 0 ? 0 : 1;
    }
}
