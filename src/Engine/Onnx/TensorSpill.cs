using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using ModelPrune.Engine.Common;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// Where a mapped model's pruned tensors go instead of their copy-on-write pages: each is written to a file of the
/// engine's own and mapped from there, and the pages it left are dropped. Writing in place made every page of the model
/// a private copy (4.4 GB of anonymous memory on the 4.4 GB model) and took a page fault per 4 KiB written (measured
/// here: 240 ms per 46 MB layer in place, against 150 ms read, pruned in an array and written out). Mapped from the
/// spill, the pruned values are ordinary file pages, and the passes that only read them read the spill file instead
/// (<see cref="MappedDataFile.TryReadInChunks"/>), so a magnitude run holds about one tensor per core at a time.
/// The file lies in a <see cref="ScratchFolder"/> under the temporary folder; disposing removes it (Linux and macOS
/// keep a mapped file's bytes until the last mapping goes; on Windows it stays until a later run removes it as stale).
/// </summary>
internal sealed class TensorSpill : IDisposable
{
    private readonly ScratchFolder? _folder;
    private readonly string _path;
    private readonly SafeFileHandle _file;
    private readonly PlannedDataFile? _planned;
    private readonly Lazy<TensorSpill>? _unplanned;
    private long _end;

    private TensorSpill(ScratchFolder? folder, string path, SafeFileHandle file, PlannedDataFile? planned = null)
    {
        _folder = folder;
        _path = path;
        _file = file;
        _planned = planned;
        // A mapped tensor the plan has no place for (under its 1 KiB threshold) goes to a spill of its own.
        if (planned is not null) _unplanned = new Lazy<TensorSpill>(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// A spill when any of <paramref name="weights"/> lies in a mapped file (only those go to it), else null: into
    /// <paramref name="planned"/>, the output's data file, when the caller knows it; else a file of the engine's own.
    /// </summary>
    public static TensorSpill? ForMapped(IEnumerable<PrunableWeight> weights, PlannedDataFile? planned = null) =>
        !weights.Any(w => w.Tensor.IsMapped) ? null
        : planned is null ? Create()
        : new TensorSpill(null, planned.Path, File.OpenHandle(planned.Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete), planned);

    private static TensorSpill Create()
    {
        var folder = ScratchFolder.Create(Path.GetTempPath(), "modelprune-spill");
        try
        {
            var path = Path.Combine(folder.Path, "tensors.bin");
            var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            return new TensorSpill(folder, path, file);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes <paramref name="bytes"/> the raw data of <paramref name="tensor"/>, mapped from the spill, and drops the
    /// pages its old raw data had (it must lie in a mapped file). Safe to call from several threads at once.
    /// </summary>
    public void Replace(WeightTensor tensor, ReadOnlySpan<byte> bytes)
    {
        long offset;
        if (_planned is null)
        {
            var length = ExternalDataLayout.AlignUp(bytes.Length);
            offset = Interlocked.Add(ref _end, length) - length;
        }
        else if (!_planned.Offsets.TryGetValue(tensor.Proto, out offset) || tensor.Proto.RawData.Length != bytes.Length)
        {
            _unplanned!.Value.Replace(tensor, bytes);
            return;
        }

        var old = tensor.Proto.RawData.Memory;
        RandomAccess.Write(_file, bytes, offset);
        tensor.Proto.RawData = UnsafeByteOperations.UnsafeWrap(MappedDataFile.OpenRange(_path, offset, bytes.Length, _file).Slice(0, bytes.Length));
        MappedDataFile.DiscardPages(old);
    }

    /// <summary>
    /// Removes the folder of an own spill (the output's data file stays: it is a staged output). The file's handle stays
    /// open while a mapping reads through it, and closes (by its finalizer) with the last one.
    /// </summary>
    public void Dispose()
    {
        _folder?.Dispose();
        if (_unplanned is { IsValueCreated: true }) _unplanned.Value.Dispose();
    }
}
