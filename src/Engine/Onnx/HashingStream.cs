using System.Security.Cryptography;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// Feeds every byte read or written through it into a hash, so a model file is parsed (or written) and
/// hashed in one pass, without holding a second copy of its bytes or reading the file again.
/// </summary>
internal sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash;

    public HashingStream(Stream inner, IncrementalHash hash)
    {
        _inner = inner;
        _hash = hash;
    }

    public long BytesRead { get; private set; }

    public long BytesWritten { get; private set; }

    public override bool CanRead => _inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => _inner.CanWrite;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        _hash.AppendData(buffer[..read]);
        BytesRead += read;
        return read;
    }

    /// <summary>Reads whatever the parser left unread so the hash always covers the whole file.</summary>
    public void DrainToEnd()
    {
        var buffer = new byte[81920];
        while (Read(buffer) > 0)
        {
        }
    }

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        _hash.AppendData(buffer);
        BytesWritten += buffer.Length;
    }
}
