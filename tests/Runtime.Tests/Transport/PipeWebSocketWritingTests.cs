using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Channels.Transport.Handoff;
using Microsoft.AspNetCore.Connections;

namespace Channels.Tests.Transport;

/// <summary>
/// The writer of a taken-over WebSocket against a slow reader: while a flush waits for the client, later
/// writes (the session's batches, the reader's pongs) wait for it, and none is lost or taken out of its
/// writer's order.
/// </summary>
public sealed class PipeWebSocketWritingTests
{
    [Fact]
    public async Task Writes_made_while_a_flush_waits_for_the_client_all_arrive_in_order()
    {
        var fromClient = new Pipe();
        var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512));
        var connection = new DefaultConnectionContext("test", new Duplex(fromClient.Reader, toClient.Writer), new Duplex(toClient.Reader, fromClient.Writer));
        using var socket = new PipeWebSocket(connection, maxMessageBytes: 1_000_000);

        // The first write fills the pipe past its pause threshold: its flush waits for the reader. Then two
        // writers, as the session's writer (in batches) and the reader's pongs: each sends one at a time.
        var first = socket.SendAsync(new byte[4000], WebSocketMessageType.Binary, CancellationToken.None).AsTask();
        var batches = Task.Run(async () =>
        {
            for (var i = 1; i <= 20; i++)
            {
                socket.Cork();
                await socket.SendAsync(new[] { (byte)i }, WebSocketMessageType.Binary, CancellationToken.None);
                await socket.UncorkAsync();
            }
        });
        var other = Task.Run(async () =>
        {
            for (var i = 101; i <= 120; i++)
            {
                await socket.SendAsync(new[] { (byte)i }, WebSocketMessageType.Binary, CancellationToken.None);
            }
        });

        var payloads = await ReadFramesAsync(toClient.Reader, 41);
        await Task.WhenAll(first, batches, other);
        var small = payloads.Skip(1).Select(p => (int)Assert.Single(p)).ToList();

        Assert.Equal(4000, payloads[0].Length);
        Assert.Equal(Enumerable.Range(1, 20), small.Where(b => b <= 20));
        Assert.Equal(Enumerable.Range(101, 20), small.Where(b => b > 100));
    }

    /// <summary>Reads <paramref name="count"/> unmasked binary frames (lengths under 64 KiB).</summary>
    private static async Task<List<byte[]>> ReadFramesAsync(PipeReader reader, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var frames = new List<byte[]>();
        while (frames.Count < count)
        {
            var result = await reader.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            while (TryTake(ref buffer, out var payload))
            {
                frames.Add(payload);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }

        return frames;
    }

    private static bool TryTake(ref ReadOnlySequence<byte> buffer, out byte[] payload)
    {
        payload = [];
        if (buffer.Length < 2)
        {
            return false;
        }

        var head = buffer.Slice(0, Math.Min(4, buffer.Length)).ToArray();
        Assert.Equal(0x82, head[0]);
        var (length, header) = (head[1] & 0x7F) == 126 ? ((head[2] << 8) | head[3], 4) : (head[1] & 0x7F, 2);
        if (buffer.Length < header + length)
        {
            return false;
        }

        payload = buffer.Slice(header, length).ToArray();
        buffer = buffer.Slice(header + length);
        return true;
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
