using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// An external data file mapped into memory copy-on-write: a tensor's bytes are read from the file when first touched
/// (the OS pages them in and may drop them again), and a stage that prunes a tensor in place writes to private pages,
/// never to the user's file. So a model whose data file is larger than the memory the engine may use, or than one
/// .NET array (2 GiB), can be read: only the tensors being worked on need to be resident.
/// <para>
/// Pages a pass has read stay resident (and count in the process's memory) until the OS needs them back, which on a
/// machine with room to spare is never: one pass over a 4.4 GB model left 4.4 GB resident. A pass over every tensor
/// (counting zeros, checking values, writing) therefore reads a tensor that was not written in place from the file
/// (<see cref="TryReadInChunks"/>), and one that reads through the mapping hands the pages back when done
/// (<see cref="ReleasePages"/>); a tensor written in place keeps them, since its pages are its only copy.
/// </para>
/// </summary>
internal sealed unsafe partial class MappedDataFile
{
    // Linux's MADV_DONTNEED: a private mapping's pages are dropped and read from the file again when next touched.
    private const int DontNeed = 4;

    // Reading a whole tensor through the mapping costs a page fault every few pages (31 ms per 46 MB here, against 9 ms
    // for a read() of the same bytes from the page cache) and leaves the pages resident; passes that only read use this.
    private const int ChunkBytes = 1 << 20;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _start;
    private readonly SafeFileHandle _reader;
    private readonly bool _ownsReader;
    private readonly long _fileOffset;
    private readonly string _path;

    private MappedDataFile(MemoryMappedFile file, MemoryMappedViewAccessor view, long length, SafeFileHandle reader, bool ownsReader, long fileOffset, string path)
    {
        _path = Path.GetFullPath(path);
        _file = file;
        _view = view;
        _reader = reader;
        _ownsReader = ownsReader;
        _fileOffset = fileOffset;
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
        // A shared reader (the spill's) closes when no mapping holds it any more, by its own finalizer.
        if (_ownsReader) _reader.Dispose();
    }

    public long Length { get; }

    /// <summary>Maps <paramref name="path"/>; an empty file (which cannot be mapped) gives null.</summary>
    public static MappedDataFile? Open(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        var length = stream.Length;
        return length == 0 ? null : Map(path, stream, 0, length, reader: null);
    }

    /// <summary>
    /// Maps bytes <paramref name="offset"/>..+<paramref name="length"/> (not empty) of a file another handle may still be
    /// writing elsewhere (<see cref="TensorSpill"/>); offset 0 of the result is <paramref name="offset"/> of the file.
    /// </summary>
    /// <param name="reader">An open handle on the file for reads that bypass the mapping, shared by every range of it.</param>
    public static MappedDataFile OpenRange(string path, long offset, long length, SafeFileHandle reader)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.RandomAccess);
        return Map(path, stream, offset, length, reader);
    }

    private static MappedDataFile Map(string path, FileStream stream, long offset, long length, SafeFileHandle? reader)
    {
        var file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.CopyOnWrite, HandleInheritability.None, leaveOpen: false);
        var ownsReader = reader is null;
        try
        {
            var view = file.CreateViewAccessor(offset, offset == 0 && length == stream.Length ? 0 : length, MemoryMappedFileAccess.CopyOnWrite);
            reader ??= File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
            return new MappedDataFile(file, view, length, reader, ownsReader, offset, path);
        }
        catch
        {
            if (ownsReader) reader?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>Bytes <paramref name="offset"/>..+<paramref name="length"/> as memory that keeps the mapping alive.</summary>
    public Memory<byte> Slice(long offset, int length) => new MappedSlice(this, offset, length).Memory;

    /// <summary>Whether <paramref name="memory"/> lies in a mapped data file (rather than in a managed array).</summary>
    public static bool IsMapped(ReadOnlyMemory<byte> memory) => MemoryMarshal.TryGetMemoryManager<byte, MappedSlice>(memory, out _);

    /// <summary>Whether <paramref name="memory"/> is mapped from bytes <paramref name="offset"/>.. of the file <paramref name="fullPath"/>, and not written in place since.</summary>
    public static bool LiesAt(ReadOnlyMemory<byte> memory, string fullPath, long offset) =>
        MemoryMarshal.TryGetMemoryManager<byte, MappedSlice>(memory, out var slice, out var start, out _)
        && !slice.Written
        && slice.Owner._fileOffset + slice.Offset + start == offset
        && string.Equals(slice.Owner._path, fullPath, StringComparison.Ordinal);

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

    /// <summary>
    /// Reads mapped <paramref name="memory"/> that was not written in place from its file, one chunk at a time, without
    /// touching the mapping; false (and nothing read) for managed memory or memory written in place.
    /// </summary>
    public static bool TryReadInChunks(ReadOnlyMemory<byte> memory, ChunkReader read)
    {
        if (!MemoryMarshal.TryGetMemoryManager<byte, MappedSlice>(memory, out var slice, out var start, out var length) || slice.Written) return false;

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Min(ChunkBytes, Math.Max(length, 1)));
        try
        {
            for (var done = 0; done < length;)
            {
                var chunk = buffer.AsSpan(0, Math.Min(buffer.Length, length - done));
                slice.Owner.ReadFile(slice.Offset + start + done, chunk);
                read(chunk);
                done += chunk.Length;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return true;
    }

    /// <summary>Copies mapped, unwritten <paramref name="memory"/> into <paramref name="destination"/> from its file (as <see cref="TryReadInChunks"/>).</summary>
    public static bool TryCopyFromFile(ReadOnlyMemory<byte> memory, Span<byte> destination)
    {
        if (!MemoryMarshal.TryGetMemoryManager<byte, MappedSlice>(memory, out var slice, out var start, out var length) || slice.Written) return false;

        slice.Owner.ReadFile(slice.Offset + start, destination[..length]);
        return true;
    }

    private void ReadFile(long offset, Span<byte> destination)
    {
        for (var done = 0; done < destination.Length;)
        {
            var read = RandomAccess.Read(_reader, destination[done..], _fileOffset + offset + done);
            if (read == 0) throw new EndOfStreamException("the external data file is shorter than when it was mapped");
            done += read;
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
