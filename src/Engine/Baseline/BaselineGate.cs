using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Baseline;

/// <summary>
/// The <c>baseline</c> command: holds a new report against the checked-in baseline. A baseline is only ever
/// overwritten on explicit accept; a missing one is created (or refused when strict); a differing report is
/// written next to the baseline as <c>&lt;name&gt;.prune.received.json</c>. Returns the exit code.
/// </summary>
internal static class BaselineGate
{
    public static int Run(BaselineOptions options, TextWriter output)
    {
        var reportPath = Path.GetFullPath(options.ReportPath);
        var baselinePath = Path.GetFullPath(options.BaselinePath);
        var settings = ToleranceSettingsParser.Parse(options.MaxMetricDrop, options.MetricTolerances, options.CompareModelHash, baselinePath, options.DropType);
        BaselinePaths.Validate(reportPath, baselinePath);
        var receivedPath = BaselinePaths.ReceivedFor(reportPath, baselinePath);
        var name = string.IsNullOrEmpty(options.DisplayName) ? Path.GetFileName(reportPath) : options.DisplayName;

        var reportBytes = ReadReport(reportPath);
        var current = BaselineReportReader.Read(reportBytes, reportPath, DiagnosticCodes.ReportUnreadable);

        if (!File.Exists(baselinePath))
        {
            if (options.Accept)
            {
                Write(baselinePath, reportBytes);
                AtomicFile.TryDelete(receivedPath);
                output.WriteLine(Diagnostic.Info(DiagnosticCodes.BaselineAccepted, baselinePath,
                    $"Baseline created from the report of {name} (ModelPruneAcceptBaseline=true). Commit it."));
                return 0;
            }

            if (options.Strict)
            {
                Write(receivedPath, reportBytes);
                output.WriteLine(Diagnostic.Error(DiagnosticCodes.BaselineMissingStrict, baselinePath,
                    $"The baseline of {name} does not exist and ModelPruneStrictBaseline=true forbids creating it. The new report is in {receivedPath}: review it and commit it under the baseline's name, or build once without ModelPruneStrictBaseline (or with -p:ModelPruneAcceptBaseline=true)."));
                return 1;
            }

            Write(baselinePath, reportBytes);
            AtomicFile.TryDelete(receivedPath);
            output.WriteLine(Diagnostic.Warning(DiagnosticCodes.BaselineCreated, baselinePath,
                $"The baseline of {name} did not exist; it was created from this build's report. Review it and commit it: later builds are checked against it."));
            return 0;
        }

        var baselineBytes = ReadBaseline(baselinePath, options.Accept);
        IReadOnlyList<BaselineDifference> differences;
        try
        {
            var baseline = BaselineReportReader.Read(baselineBytes, baselinePath, DiagnosticCodes.BaselineUnreadable);
            differences = BaselineComparer.Compare(baseline, current, settings);
            foreach (var key in BaselineComparer.UnusedToleranceKeys(baseline, settings))
            {
                output.WriteLine(Diagnostic.Warning(DiagnosticCodes.ToleranceMatchesNoMetric, baselinePath,
                    $"MetricTolerances '{key}' matches no metric of the baseline. Metric names: {string.Join(", ", baseline.Metrics.Values.Select(m => m.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))}."));
            }

            if (differences.Count == 0)
            {
                AtomicFile.TryDelete(receivedPath);
                if (options.Accept && !baselineBytes.AsSpan().SequenceEqual(reportBytes))
                {
                    Write(baselinePath, reportBytes);
                    output.WriteLine(Diagnostic.Info(DiagnosticCodes.BaselineAccepted, baselinePath,
                        $"Baseline of {name} updated to this build's report (ModelPruneAcceptBaseline=true; it was within tolerance)."));
                }
                else
                {
                    output.WriteLine($"ModelPrune: {name} matches its baseline ({baseline.Metrics.Count} metrics within tolerance, {baseline.Layers.Count} layers unchanged)");
                }

                return 0;
            }
        }
        catch (ModelPruneException e) when (options.Accept && e.Diagnostic.Code == DiagnosticCodes.BaselineUnreadable)
        {
            // Accepting is the way out of a broken baseline: replace it.
            differences = new[] { new BaselineDifference(e.Diagnostic.Code, e.Diagnostic.Message) };
        }

        if (options.Accept)
        {
            Write(baselinePath, reportBytes);
            AtomicFile.TryDelete(receivedPath);
            foreach (var difference in differences)
            {
                output.WriteLine(Diagnostic.Info(difference.Code, baselinePath, difference.Message));
            }

            output.WriteLine(Diagnostic.Info(DiagnosticCodes.BaselineAccepted, baselinePath,
                $"Baseline of {name} replaced by this build's report (ModelPruneAcceptBaseline=true), accepting {Count(differences.Count)}. Commit it."));
            return 0;
        }

        Write(receivedPath, reportBytes);
        foreach (var difference in differences)
        {
            output.WriteLine(Diagnostic.Error(difference.Code, baselinePath, difference.Message));
        }

        output.WriteLine(Diagnostic.Error(DiagnosticCodes.BaselineMismatch, baselinePath,
            $"The report of {name} has {Count(differences.Count)} from its baseline; it was written to {receivedPath}. If the change is intended, accept it: build with -p:ModelPruneAcceptBaseline=true, or copy the received file over the baseline."));
        return 1;
    }

    private static byte[] ReadReport(string reportPath)
    {
        try
        {
            return File.ReadAllBytes(reportPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelPruneException(DiagnosticCodes.ReportUnreadable, reportPath,
                $"The report to check against the baseline could not be read ({e.Message}). Give the <name>.prune.json that ModelPrune wrote for the model.", e);
        }
    }

    /// <summary>An unreadable baseline is an error, unless it is about to be replaced by accepting.</summary>
    private static byte[] ReadBaseline(string baselinePath, bool accept)
    {
        try
        {
            return File.ReadAllBytes(baselinePath);
        }
        catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && accept)
        {
            return Array.Empty<byte>();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelPruneException(DiagnosticCodes.BaselineUnreadable, baselinePath,
                $"The baseline could not be read ({e.Message}). Check its permissions, or accept the current report with -p:ModelPruneAcceptBaseline=true.", e);
        }
    }

    private static void Write(string path, byte[] bytes)
    {
        try
        {
            AtomicFile.WriteAllBytes(path, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelPruneException(DiagnosticCodes.OutputUnwritable, path,
                $"Could not write {Path.GetFileName(path)} ({e.Message}). Check that the folder is writable and the disk is not full.", e);
        }
    }

    private static string Count(int differences) => differences == 1 ? "1 difference" : $"{differences} differences";
}
