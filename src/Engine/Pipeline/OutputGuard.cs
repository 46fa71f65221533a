using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// Nothing a user had is overwritten: before anything is written, every output path is compared with every file
/// the run reads and with the other outputs, by the real path (full, every symbolic link followed, letter case as
/// the platform's file system treats it). A collision is a coded error naming both paths.
/// </summary>
internal static class OutputGuard
{
    /// <summary>An output the user named (the command line's -o or --report) is a file path, not empty and not a folder.</summary>
    public static string CheckPath(string? path, string option, string file)
    {
        if (string.IsNullOrWhiteSpace(path) || Path.EndsInDirectorySeparator(path) || Directory.Exists(path))
        {
            throw new ModelPruneException(DiagnosticCodes.OutputPathInvalid, file,
                $"The output path '{path}' ({option}) is {(string.IsNullOrWhiteSpace(path) ? "empty" : "a folder")}. Give a file path, e.g. {option} out/model.onnx.");
        }

        return path;
    }

    /// <summary>Before anything is read: no two outputs are one file, and none is the input model.</summary>
    public static void CheckOutputs(ModelJob job) => Check(job, new[] { new RunInput("the input model", job.ModelPath) });

    /// <summary>Once the run's inputs are known (the model's external data, calibration and evaluation files).</summary>
    public static void Check(ModelJob job, IEnumerable<RunInput> inputs)
    {
        var outputs = job.Outputs.Select(path => (Path: path, Real: RealPath(path))).ToArray();
        for (var i = 0; i < outputs.Length; i++)
        {
            for (var j = i + 1; j < outputs.Length; j++)
            {
                if (Same(outputs[i].Real, outputs[j].Real))
                {
                    throw new ModelPruneException(DiagnosticCodes.OutputsCollide, job.ModelPath,
                        $"Two outputs of this run are the same file: '{outputs[i].Path}' and '{outputs[j].Path}' (e.g. --report naming the -o model). Give each output its own path.");
                }
            }
        }

        foreach (var input in inputs)
        {
            var real = RealPath(input.Path);
            foreach (var output in outputs.Where(output => Same(output.Real, real)))
            {
                throw new ModelPruneException(DiagnosticCodes.OutputWouldOverwriteInput, job.ModelPath,
                    $"The output '{output.Path}' is {input.Role} '{input.Path}'; ModelPrune never overwrites a file it reads. Choose another output path.");
            }
        }
    }

    private static bool Same(string first, string second) => ModelFolderPaths.PathComparer.Equals(first, second);

    /// <summary>The path with every link resolved; a path that cannot be resolved is compared as written (in full).</summary>
    private static string RealPath(string path)
    {
        try
        {
            return ModelFolderPaths.FollowLinks(path);
        }
        catch (IOException)
        {
            return Path.GetFullPath(path);
        }
    }
}
