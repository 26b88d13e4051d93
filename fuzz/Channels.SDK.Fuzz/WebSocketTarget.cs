using System.IO.Pipelines;
using System.Net.WebSockets;
using Channels.Transport;
using Channels.Transport.Handoff;
using Microsoft.AspNetCore.Connections;

namespace Channels.Fuzz;

/// <summary>
/// WebSocket framing: the input is what a client sends after the handshake. Our reader
/// (<see cref="PipeWebSocket"/>) reads it to its end and may only return messages, null (a close or the end),
/// or throw <see cref="WebSocketException"/> (a protocol error); every message is at most the limit, and a
/// text one is UTF-8. Where it read everything without an error and refused nothing as too large, .NET's own
/// server WebSocket, given the same bytes, must read the same messages (when it too reads them without an
/// error: the two may refuse different things, which is not compared).
/// </summary>
internal static class WebSocketTarget
{
    private const int Limit = 4096;

    public static void Run(byte[] input)
    {
        var ours = Ours(input);
        if (ours is null)
        {
            return;
        }

        foreach (var (type, data) in ours)
        {
            Check(data.Length <= Limit, $"a message of {data.Length} bytes passed a limit of {Limit}");
            Check(type != WebSocketMessageType.Text || System.Text.Unicode.Utf8.IsValid(data), "a text message is not UTF-8");
        }

        if (Reference(input) is { } reference)
        {
            Check(reference.Count == ours.Count, $"ours read {ours.Count} messages, ManagedWebSocket {reference.Count}");
            for (var i = 0; i < ours.Count; i++)
            {
                Check(reference[i].Type == ours[i].Type && reference[i].Data.AsSpan().SequenceEqual(ours[i].Data), $"message {i} differs from ManagedWebSocket's");
            }
        }
    }

    /// <summary>Our messages until a close or the end; null after a protocol error or a message refused as too large.</summary>
    private static List<(WebSocketMessageType Type, byte[] Data)>? Ours(byte[] input)
    {
        var fromClient = new Pipe();
        var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0));
        fromClient.Writer.WriteAsync(input).AsTask().GetAwaiter().GetResult();
        fromClient.Writer.Complete();
        var connection = new DefaultConnectionContext("fuzz", new Duplex(fromClient.Reader, toClient.Writer), new Duplex(toClient.Reader, fromClient.Writer));
        using var socket = new PipeWebSocket(connection, Limit);
        var messages = new List<(WebSocketMessageType, byte[])>();
        try
        {
            while (socket.ReceiveAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } message)
            {
                if (message.TooLarge)
                {
                    Check(message.Size > Limit, $"a message of {message.Size} bytes was refused under a limit of {Limit}");
                    return null;
                }

                messages.Add((message.Type, message.Data.ToArray()));
            }
        }
        catch (WebSocketException)
        {
            return null;
        }

        return messages;
    }

    /// <summary>ManagedWebSocket's messages until a close or the end; null if it found an error.</summary>
    private static List<(WebSocketMessageType Type, byte[] Data)>? Reference(byte[] input)
    {
        using var socket = WebSocket.CreateFromStream(new ReplayStream(input), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var messages = new List<(WebSocketMessageType, byte[])>();
        var buffer = new byte[Limit + 1];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        return null;
                    }

                    result = socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return messages;
                }

                messages.Add((result.MessageType, buffer.AsSpan(0, length).ToArray()));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            // Its end of stream without a close frame is an error to it and the end to us: compare up to it.
            return ex is WebSocketException { WebSocketErrorCode: WebSocketError.ConnectionClosedPrematurely } ? messages : null;
        }
    }

    private static void Check(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException(failure);
        }
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <summary>The client's bytes to read; what the server writes (pongs, its close) goes nowhere.</summary>
    private sealed class ReplayStream(byte[] input) : MemoryStream(input, writable: false)
    {
        public override bool CanWrite => true;

        public override void Write(byte[] buffer, int offset, int count)
        {
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.CompletedTask;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
