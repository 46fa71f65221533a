using System.IO.MemoryMappedFiles;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// An external data file mapped into memory copy-on-write: a tensor's bytes are read from the file when first touched
/// (the OS pages them in and may drop them again), and a stage that prunes a tensor in place writes to private pages,
/// never to the user's file. So a model whose data file is larger than the memory the engine may use, or than one
/// .NET array (2 GiB), can be read: only the tensors being worked on need to be resident.
/// </summary>
internal sealed unsafe class MappedDataFile
{
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
        if (length == 0) return null;

        var file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.CopyOnWrite, HandleInheritability.None, leaveOpen: false);
        try
        {
            var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.CopyOnWrite);
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
