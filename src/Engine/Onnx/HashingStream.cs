using System.IO.Hashing;
using System.Security.Cryptography;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// Feeds every byte read or written through it into a hash, so a model file is parsed (or written) and
/// hashed in one pass, without holding a second copy of its bytes or reading the file again. The hash is
/// cryptographic (a model's content key) or not (an .npz entry's CRC-32).
/// </summary>
internal sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly Append _hash;

    public HashingStream(Stream inner, IncrementalHash hash)
        : this(inner, hash.AppendData)
    {
    }

    public HashingStream(Stream inner, NonCryptographicHashAlgorithm hash)
        : this(inner, hash.Append)
    {
    }

    private HashingStream(Stream inner, Append hash)
    {
        _inner = inner;
        _hash = hash;
    }

    private delegate void Append(ReadOnlySpan<byte> bytes);

    public long BytesRead { get; private set; }

    public long BytesWritten { get; private set; }

    /// <summary>Told the bytes written so far after each write (<see cref="WrittenTensorPages"/>).</summary>
    public Action<long>? AfterWrite { get; init; }

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
        _hash(buffer[..read]);
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
        _hash(buffer);
        BytesWritten += buffer.Length;
        AfterWrite?.Invoke(BytesWritten);
    }
}
