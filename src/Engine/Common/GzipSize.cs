using System.IO.Compression;

namespace ModelPrune.Engine.Common;

/// <summary>
/// The size data would have gzip-compressed (CompressionLevel.Optimal), counted without keeping the compressed
/// bytes. Deterministic for a given .NET runtime, whose bundled zlib decides the exact size.
/// </summary>
internal static class GzipSize
{
    /// <summary>Compresses what <paramref name="write"/> writes to the stream it is given.</summary>
    public static long Of(Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var counter = new CountingStream();
        using (var gzip = new GZipStream(counter, CompressionLevel.Optimal, leaveOpen: true))
        {
            write(gzip);
        }

        return counter.Length;
    }

    /// <summary>A write-only sink that only counts.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }
}
