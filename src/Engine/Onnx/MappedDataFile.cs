using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// An external data file mapped into memory copy-on-write: a tensor's bytes are read from the file when first touched
/// (the OS pages them in and may drop them again), and a stage that prunes a tensor in place writes to private pages,
/// never to the user's file. So a model whose data file is larger than the memory the engine may use, or than one
/// .NET array (2 GiB), can be read: only the tensors being worked on need to be resident.
/// <para>
/// Pages a pass has read stay resident (and count in the process's memory) until the OS needs them back, which on a
/// machine with room to spare is never: one pass over a 4.4 GB model left 4.4 GB resident. A pass over every tensor
/// (counting zeros, checking values, writing) therefore hands back each tensor's pages when it is done with it
/// (<see cref="ReleasePages"/>); a tensor written in place keeps them, since its pages are its only copy.
/// </para>
/// </summary>
internal sealed unsafe partial class MappedDataFile
{
    // Linux's MADV_DONTNEED: a private mapping's pages are dropped and read from the file again when next touched.
    private const int DontNeed = 4;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _start;

    private MappedDataFile(MemoryMappedFile file, MemoryMappedViewAccessor view, long length)
    {
        _file = file;
        _view = view;
        Length = length;
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _start = pointer + _view.PointerOffset;
    }

    /// <summary>
    /// The mapping lives as long as some tensor's memory refers to it (each slice's memory manager holds this object);
    /// the pointer is released only once none does, before the view's own handle is finalized (it is a critical finalizer, run after this one).
    /// </summary>
    ~MappedDataFile()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    public long Length { get; }

    /// <summary>Maps <paramref name="path"/>; an empty file (which cannot be mapped) gives null.</summary>
    public static MappedDataFile? Open(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        var length = stream.Length;
        return length == 0 ? null : Map(stream, 0, length);
    }

    /// <summary>
    /// Maps bytes <paramref name="offset"/>..+<paramref name="length"/> (not empty) of a file another handle may still be
    /// writing elsewhere (<see cref="TensorSpill"/>); offset 0 of the result is <paramref name="offset"/> of the file.
    /// </summary>
    public static MappedDataFile OpenRange(string path, long offset, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.RandomAccess);
        return Map(stream, offset, length);
    }

    private static MappedDataFile Map(FileStream stream, long offset, long length)
    {
        var file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.CopyOnWrite, HandleInheritability.None, leaveOpen: false);
        try
        {
            var view = file.CreateViewAccessor(offset, offset == 0 && length == stream.Length ? 0 : length, MemoryMappedFileAccess.CopyOnWrite);
            return new MappedDataFile(file, view, length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Bytes <paramref name="offset"/>..+<paramref name="length"/> as memory that keeps the mapping alive.</summary>
    public Memory<byte> Slice(long offset, int length) => new MappedSlice(this, offset, length).Memory;

    /// <summary>Whether <paramref name="memory"/> lies in a mapped data file (rather than in a managed array).</summary>
    public static bool IsMapped(ReadOnlyMemory<byte> memory) => MemoryMarshal.TryGetMemoryManager<byte, MappedSlice>(memory, out _);

    /// <summary>
    /// Marks mapped <paramref name="memory"/> as written in place: its copy-on-write pages then hold the only copy of
    /// its values, and <see cref="ReleasePages"/> leaves them alone.
    /// </summary>
    public static void MarkWritten(ReadOnlyMemory<byte> memory)
    {
        if (MemoryMarshal.TryGetMemoryManager<byte, MappedSlice>(memory, out var slice)) slice.Written = true;
    }

    /// <summary>
    /// Hands back the resident pages of mapped <paramref name="memory"/> that was only read: the values stay readable
    /// (the file still has them) but stop counting in the process's memory. Nothing for managed memory, for memory
    /// written in place, or off Linux (there the pages stay until the OS wants them back).
    /// </summary>
    public static void ReleasePages(ReadOnlyMemory<byte> memory)
    {
        if (MemoryMarshal.TryGetMemoryManager<byte, MappedSlice>(memory, out var slice, out var start, out var length) && !slice.Written)
        {
            slice.Owner.Advise(slice.Offset + start, length);
        }
    }

    /// <summary>
    /// Drops the pages of mapped <paramref name="memory"/>, written or not, after the tensor that lay there moved
    /// elsewhere (<see cref="TensorSpill"/>): what it wrote in place is lost, and nothing may read it again.
    /// </summary>
    public static void DiscardPages(ReadOnlyMemory<byte> memory)
    {
        if (MemoryMarshal.TryGetMemoryManager<byte, MappedSlice>(memory, out var slice, out var start, out var length))
        {
            slice.Owner.Advise(slice.Offset + start, length);
        }
    }

    /// <summary>madvise(DONTNEED) on the whole pages inside the range; a page shared with a neighbour stays.</summary>
    private void Advise(long offset, int length)
    {
        if (!OperatingSystem.IsLinux()) return;
        var page = (long)Environment.SystemPageSize;
        var start = (long)_start + offset;
        var first = (start + page - 1) / page * page;
        var end = (start + length) / page * page;
        // Best effort: a refusal leaves the pages resident, which costs memory, not correctness.
        if (end > first) _ = Madvise((nint)first, (nuint)(end - first), DontNeed);
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);

    private sealed class MappedSlice : System.Buffers.MemoryManager<byte>
    {
        private readonly MappedDataFile _owner;
        private readonly long _offset;
        private readonly int _length;

        public MappedSlice(MappedDataFile owner, long offset, int length)
        {
            _owner = owner;
            _offset = offset;
            _length = length;
        }

        public MappedDataFile Owner => _owner;

        public long Offset => _offset;

        /// <summary>Set once a stage was handed these bytes to write: then they are the tensor's only copy.</summary>
        public bool Written { get; set; }

        public override Span<byte> GetSpan() => new(_owner._start + _offset, _length);

        // The mapping does not move: pinning is a pointer, and unpinning has nothing to undo.
        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => new(_owner._start + _offset + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
