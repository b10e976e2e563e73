using System.Buffers;

namespace Meshwork.Platform.Serving.Formats;

/// <summary>
/// A write-only wrapper over a response body that counts the bytes written and reports that count as its
/// position (all a forward-only writer such as Parquet's needs), while staying non-seekable.
/// </summary>
/// <remarks>
/// ASP.NET Core refuses synchronous I/O on a response body. A library that flushes synchronously (Parquet.Net
/// does after every page) gets a no-op here; one that writes synchronously has its bytes held and sent with the
/// next asynchronous write or flush. The inner stream is never disposed.
/// </remarks>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    private readonly Stream _inner = inner;
    private ArrayBufferWriter<byte>? _pending;

    public long BytesWritten { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException("A response body has no length.");

    public override long Position
    {
        get => BytesWritten;
        set => throw new NotSupportedException("A response body cannot seek.");
    }

    public override void Flush()
    {
        // Nothing: synchronous flushes are not allowed on the response; FlushAsync sends everything.
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendPendingAsync(cancellationToken).ConfigureAwait(false);
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        (_pending ??= new ArrayBufferWriter<byte>()).Write(buffer);
        BytesWritten += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await SendPendingAsync(cancellationToken).ConfigureAwait(false);
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        BytesWritten += buffer.Length;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A response body cannot be read.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A response body cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A response body cannot seek.");

    private async ValueTask SendPendingAsync(CancellationToken cancellationToken)
    {
        if (_pending is { WrittenCount: > 0 } pending)
        {
            await _inner.WriteAsync(pending.WrittenMemory, cancellationToken).ConfigureAwait(false);
            pending.ResetWrittenCount();
        }
    }
}
