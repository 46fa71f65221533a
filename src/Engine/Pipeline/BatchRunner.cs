using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Progress;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// Prunes independent models in parallel and prints their results in request order, so build logs read
/// the same from run to run. Returns the process exit code: 0 when every model succeeded.
/// </summary>
internal static class BatchRunner
{
    /// <param name="progress">Where the long stages' progress goes while the models run; null: nowhere.</param>
    /// <param name="progressInterval">The least time between two updates of a model (first and last items aside).</param>
    public static int Run(BatchRequest request, TextWriter output, IProgressOutput? progress = null, TimeSpan? progressInterval = null)
    {
        var outcomes = new ModelOutcome[request.Jobs.Count];
        // Before the warm-up: the first ORT call binds the native library for the life of the process.
        if (request.OnnxRuntimeNativeDirectory is { } nativeDirectory) OnnxRuntimeNativeLibrary.LoadFrom(nativeDirectory);
        if (request.Jobs.Count > 0) OnnxRuntimeWarmup.Start();
        try
        {
            // Each model's ONNX Runtime sessions already use every core; two at a time keeps memory in check.
            var parallelism = Math.Max(1, Math.Min(request.Jobs.Count, Math.Min(2, Environment.ProcessorCount)));
            Parallel.For(0, request.Jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
                i => outcomes[i] = ModelProgress.Run(
                    progress is null ? null : new ProgressReporter(request.Jobs[i].DisplayName, progress, progressInterval ?? ProgressReporter.DefaultInterval),
                    () => RunGuarded(request.Jobs[i], request.Cache)));

            // Progress is live and the results come after it, never in its middle: a bar leaves the line clean.
            progress?.Close();

            foreach (var outcome in outcomes)
            {
                foreach (var diagnostic in outcome.Diagnostics) output.WriteLine(diagnostic);
                if (outcome.SummaryLine is not null) output.WriteLine(outcome.SummaryLine);
            }

            // After all models, in request order: parallel jobs appending on their own would interleave.
            if (request.StepSummaryPath is { } summaryPath
                && StepSummaryFile.Append(summaryPath, request.Jobs.Zip(outcomes).Select(p => (p.First.DisplayName, p.Second.StepSummary))) is { } problem)
            {
                output.WriteLine(problem);
            }

            output.Flush();
            return outcomes.All(o => o.Succeeded) ? 0 : 1;
        }
        finally
        {
            // A model that fails before ONNX Runtime's first real use (missing file, bad setting) ends the run
            // while the warm-up may still be loading the native library on another thread; exiting then crashed
            // the process in native code (cpuinfo, double free) in up to half the runs. The warm-up must finish first.
            OnnxRuntimeWarmup.Wait();
        }
    }

    /// <summary>An unexpected exception is a bug: report it with a code (no stack trace) instead of crashing the batch.</summary>
    private static ModelOutcome RunGuarded(ModelJob job, CacheOptions cache)
    {
        try
        {
            return ModelPipeline.Run(job, cache);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ModelOutcome(false, null, new[]
            {
                Diagnostic.Error(DiagnosticCodes.InternalError, job.ModelPath,
                    $"Internal error while pruning this model: {e.GetType().Name}: {e.Message}. Please report it with the model if you can share it."),
            });
        }
    }
}
