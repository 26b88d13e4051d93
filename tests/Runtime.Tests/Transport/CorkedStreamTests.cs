using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Channels.Transport;

namespace Channels.Tests.Transport;

/// <summary>
/// <see cref="CorkedStream"/>: outside a batch every write reaches Kestrel at once; inside one, the writes
/// are gathered and reach it as one write, in order, when the batch ends or grows past the bound.
/// </summary>
public sealed class CorkedStreamTests
{
    [Fact]
    public async Task Outside_a_batch_each_write_goes_straight_through()
    {
        var inner = new RecordingStream();
        var stream = new CorkedStream(inner);

        await stream.WriteAsync("one"u8.ToArray());
        await stream.FlushAsync();
        await stream.WriteAsync("two"u8.ToArray());

        Assert.Equal(["one", "two"], inner.Writes);
        Assert.Equal(0, stream.GatheredBytes);
    }

    [Fact]
    public async Task A_batch_reaches_the_inner_stream_as_one_write_in_order()
    {
        var inner = new RecordingStream();
        var stream = new CorkedStream(inner);

        stream.Cork();
        await stream.WriteAsync("a"u8.ToArray());
        await stream.FlushAsync();
        await stream.WriteAsync("bc"u8.ToArray());
        await stream.FlushAsync();
        Assert.Empty(inner.Writes);
        Assert.Equal(3, stream.GatheredBytes);

        await stream.UncorkAsync();

        Assert.Equal(["abc"], inner.Writes);
        Assert.Equal(0, stream.GatheredBytes);
        await stream.WriteAsync("d"u8.ToArray());
        Assert.Equal(["abc", "d"], inner.Writes);
    }

    [Fact]
    public async Task A_batch_past_the_bound_is_written_out_at_the_next_flush()
    {
        var inner = new RecordingStream();
        var stream = new CorkedStream(inner);
        var chunk = new byte[CorkedStream.MaxCorkedBytes / 2];

        stream.Cork();
        await stream.WriteAsync(chunk);
        await stream.FlushAsync();
        Assert.Empty(inner.Writes);
        await stream.WriteAsync(chunk);
        await stream.FlushAsync();

        Assert.Equal(CorkedStream.MaxCorkedBytes, Assert.Single(inner.Writes).Length);
        Assert.Equal(0, stream.GatheredBytes);
    }

    [Fact]
    public async Task After_a_failed_batch_writes_go_straight_through_again()
    {
        var inner = new RecordingStream();
        var stream = new CorkedStream(inner);

        stream.Cork();
        stream.Reset();
        await stream.WriteAsync("x"u8.ToArray());

        Assert.Equal(["x"], inner.Writes);
    }

    [Fact]
    public async Task Writes_racing_batches_all_arrive_once_and_whole()
    {
        // ManagedWebSocket writes one frame at a time, but a control frame (a pong) may be written from the
        // read side while the writer corks and uncorks: every write must arrive exactly once, unsplit.
        var inner = new RecordingStream();
        var stream = new CorkedStream(inner);
        var gate = new SemaphoreSlim(1, 1);
        async Task WriteFrameAsync(string frame)
        {
            await gate.WaitAsync();
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(frame));
                await stream.FlushAsync();
            }
            finally
            {
                gate.Release();
            }
        }

        var writer = Task.Run(async () =>
        {
            for (var batch = 0; batch < 500; batch++)
            {
                stream.Cork();
                for (var i = 0; i < 4; i++)
                {
                    await WriteFrameAsync($"<w{batch}.{i}>");
                }

                await stream.UncorkAsync();
            }
        });
        var ponger = Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                await WriteFrameAsync($"<p{i}>");
            }
        });
        await Task.WhenAll(writer, ponger);
        await stream.UncorkAsync();

        var frames = string.Concat(inner.Writes).Split('>', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4000, frames.Length);
        Assert.Equal(4000, frames.Distinct().Count());
        Assert.All(frames, f => Assert.StartsWith("<", f, StringComparison.Ordinal));
        var writerFrames = frames.Where(f => f.StartsWith("<w", StringComparison.Ordinal)).ToArray();
        var expected = Enumerable.Range(0, 500).SelectMany(b => Enumerable.Range(0, 4).Select(i => $"<w{b}.{i}")).ToArray();
        Assert.Equal(expected, writerFrames);
    }

    [Fact]
    public async Task A_WebSocket_over_it_sends_frames_a_peer_reads()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var clientSocket = new TcpClient();
        await clientSocket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, timeout.Token);
        using var serverSocket = await listener.AcceptTcpClientAsync(timeout.Token);
        var corked = new CorkedStream(serverSocket.GetStream());
        var clientEnd = clientSocket.GetStream();
        using var server = WebSocket.CreateFromStream(corked, new WebSocketCreationOptions { IsServer = true });
        using var client = WebSocket.CreateFromStream(clientEnd, new WebSocketCreationOptions { IsServer = false });

        corked.Cork();
        await server.SendAsync("42[\"a\"]"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        await server.SendAsync("42[\"b\"]"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        await corked.UncorkAsync();

        var buffer = new byte[64];
        var first = await client.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("42[\"a\"]", Encoding.UTF8.GetString(buffer, 0, first.Count));
        var second = await client.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("42[\"b\"]", Encoding.UTF8.GetString(buffer, 0, second.Count));
    }

    /// <summary>Records each write it receives, as text.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly List<string> _writes = [];

        public IReadOnlyList<string> Writes
        {
            get
            {
                lock (_writes)
                {
                    return [.. _writes];
                }
            }
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (_writes)
            {
                _writes.Add(Encoding.ASCII.GetString(buffer.Span));
            }

            return ValueTask.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
