using Microsoft.ML.OnnxRuntime;
using Microsoft.Win32.SafeHandles;
using ModelPrune.Engine.Common;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// The original model's outputs of every batch, kept until the pruned model has run the same batches. They live
/// outside managed memory: a language model's logits over the evaluation set ([samples, sequence, vocabulary]) are
/// gigabytes, so each batch is appended to one file in a temporary folder, in its element type (float32 stays four
/// bytes and reads back as the same double). Outputs of a batch up to <see cref="DefaultInMemoryLimitBytes"/> and
/// strings stay in memory, so a classifier's evaluation touches no disk. The folder is named as staged outputs are,
/// so an interrupt's clean-up removes it too; disposing removes it.
/// </summary>
internal sealed class OriginalOutputStore : IDisposable
{
    public const string FolderName = "modelprune-evaluation";

    /// <summary>A batch's output up to this size stays in memory: class scores, pooled embeddings, small tensors.</summary>
    public const int DefaultInMemoryLimitBytes = 64 * 1024;

    /// <summary>Read back in pieces of this size, a multiple of every element size, so only the doubles are allocated whole.</summary>
    private const int ReadChunkBytes = 1 << 20;

    private readonly string _temporaryParent;
    private readonly int _inMemoryLimitBytes;
    private readonly OriginalOutputSummaryBuilder?[] _summaries;
    private readonly List<StoredOutput[]> _batches = new();
    private IReadOnlyList<OriginalOutputSummary>? _built;
    private ScratchFolder? _folder;
    private SafeFileHandle? _file;
    private long _fileLength;
    private bool _disposed;

    /// <param name="outputNames">The outputs of each batch, in the order <see cref="Add"/> gets them.</param>
    /// <param name="temporaryParent">Where the spill folder goes; null for the system's temporary folder.</param>
    public OriginalOutputStore(IReadOnlyList<string> outputNames, string? temporaryParent = null, int inMemoryLimitBytes = DefaultInMemoryLimitBytes)
    {
        OutputNames = outputNames;
        _temporaryParent = temporaryParent ?? Path.GetTempPath();
        _inMemoryLimitBytes = inMemoryLimitBytes;
        _summaries = new OriginalOutputSummaryBuilder?[outputNames.Count];
    }

    public IReadOnlyList<string> OutputNames { get; }

    public int BatchCount => _batches.Count;

    /// <summary>The spill folder; null while every output stayed in memory.</summary>
    public string? Folder => _folder?.Path;

    /// <summary>Each output over all batches, as the evaluation must know it before comparing (see <see cref="OriginalOutputSummary"/>).</summary>
    public IReadOnlyList<OriginalOutputSummary> Summaries =>
        _built ??= _summaries.Select((s, i) => s?.Build() ?? throw new InvalidOperationException($"No batch of output '{OutputNames[i]}' was added.")).ToArray();

    /// <summary>
    /// Adds the next batch: <paramref name="captured"/> are its outputs as doubles (read for the summaries, then let go),
    /// <paramref name="values"/> the same outputs as ONNX Runtime gave them (kept in their element type).
    /// </summary>
    public void Add(IReadOnlyList<CapturedOutput> captured, IReadOnlyList<OrtValue> values)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var batch = new StoredOutput[OutputNames.Count];
        for (var i = 0; i < batch.Length; i++)
        {
            var output = captured[i];
            (_summaries[i] ??= new OriginalOutputSummaryBuilder(output.Name, output.Type)).Add(output);
            batch[i] = Store(output, values[i]);
        }

        _batches.Add(batch);
        _built = null;
    }

    /// <summary>The outputs of one batch, as doubles, in the order of <see cref="OutputNames"/>.</summary>
    public IReadOnlyList<CapturedOutput> Read(int batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _batches[batch].Select((stored, i) => Read(OutputNames[i], stored)).ToArray();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _batches.Clear();
        _file?.Dispose();
        _folder?.Dispose();
    }

    private StoredOutput Store(CapturedOutput output, OrtValue value)
    {
        if (output.Strings is { } strings)
        {
            return new StoredOutput(output.Type, output.Shape, null, strings, 0, 0);
        }

        ReadOnlySpan<byte> bytes = value.GetTensorMutableRawData();
        if (bytes.Length <= _inMemoryLimitBytes)
        {
            return new StoredOutput(output.Type, output.Shape, bytes.ToArray(), null, 0, bytes.Length);
        }

        var file = _file ??= CreateFile();
        var offset = _fileLength;
        RandomAccess.Write(file, bytes, offset);
        _fileLength += bytes.Length;
        return new StoredOutput(output.Type, output.Shape, null, null, offset, bytes.Length);
    }

    private CapturedOutput Read(string name, StoredOutput stored)
    {
        if (stored.Strings is not null)
        {
            return new CapturedOutput(name, stored.Type, stored.Shape, Array.Empty<double>(), stored.Strings);
        }

        var values = new double[stored.Elements];
        if (stored.Bytes is { } bytes)
        {
            OutputCapture.ToDoubles(stored.Type, bytes, values);
        }
        else if (values.Length > 0)
        {
            ReadFromFile(stored, values);
        }

        return new CapturedOutput(name, stored.Type, stored.Shape, values, null);
    }

    private void ReadFromFile(StoredOutput stored, double[] values)
    {
        var elementSize = (int)(stored.Length / values.Length);
        var buffer = new byte[Math.Min(ReadChunkBytes, stored.Length)];
        for (long done = 0; done < stored.Length;)
        {
            var piece = buffer.AsSpan(0, (int)Math.Min(buffer.Length, stored.Length - done));
            for (var filled = 0; filled < piece.Length;)
            {
                var read = RandomAccess.Read(_file!, piece[filled..], stored.Offset + done + filled);
                if (read == 0) throw new EndOfStreamException($"The evaluation's temporary file in {Folder} ends early.");
                filled += read;
            }

            OutputCapture.ToDoubles(stored.Type, piece, values.AsSpan((int)(done / elementSize)));
            done += piece.Length;
        }
    }

    private SafeFileHandle CreateFile()
    {
        _folder = ScratchFolder.Create(_temporaryParent, FolderName);
        return File.OpenHandle(Path.Combine(_folder.Path, "original-outputs.bin"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
    }
}
