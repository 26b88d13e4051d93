using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Channels.Tests.Transport;

/// <summary>
/// A WebSocket client written byte by byte over TCP, so that tests can send what no well-behaved client
/// library would: frames split anywhere, unmasked frames, reserved bits, oversized headers.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TcpClient _tcp;
    private readonly CancellationTokenSource _timeout = new(Patience);

    private RawWebSocket(TcpClient tcp, NetworkStream stream)
    {
        _tcp = tcp;
        Stream = stream;
    }

    public NetworkStream Stream { get; }

    public CancellationToken Token => _timeout.Token;

    /// <summary>A TCP connection to the server, nothing sent yet.</summary>
    public static async Task<RawWebSocket> ConnectTcpAsync(Uri server)
    {
        var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(Patience);
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port, timeout.Token);
        return new RawWebSocket(tcp, tcp.GetStream());
    }

    /// <summary>Connects, makes the handshake for a new Engine.IO session and returns the open packet's text.</summary>
    public static async Task<(RawWebSocket Socket, string Open)> OpenAsync(Uri server)
    {
        var socket = await ConnectTcpAsync(server);
        var (head, _) = await socket.HandshakeAsync();
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        var (opcode, open) = await socket.ReadFrameAsync();
        Assert.Equal(0x1, opcode);
        return (socket, Encoding.UTF8.GetString(open));
    }

    /// <summary>Sends the upgrade request for a new Engine.IO session; the response head and the key sent.</summary>
    public async Task<(string Head, string Key)> HandshakeAsync()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await WriteTextAsync(
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            $"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n");
        var (head, _) = await ReadHeadAsync();
        return (head, key);
    }

    public Task WriteTextAsync(string text) => Stream.WriteAsync(Encoding.ASCII.GetBytes(text), Token).AsTask();

    /// <summary>Reads a response head byte by byte (so nothing after it is consumed) and its Content-Length.</summary>
    public async Task<(string Head, int Length)> ReadHeadAsync()
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await Stream.ReadExactlyAsync(one, Token);
            head.Append((char)one[0]);
        }

        var text = head.ToString();
        var line = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return (text, line is null ? 0 : int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>One frame from the server: its opcode (FIN must be set, no mask) and payload.</summary>
    public async Task<(int Opcode, byte[] Payload)> ReadFrameAsync()
    {
        var header = new byte[2];
        await Stream.ReadExactlyAsync(header, Token);
        Assert.Equal(0x80, header[0] & 0xF0);
        Assert.Equal(0, header[1] & 0x80);
        long length = header[1] & 0x7F;
        if (length >= 126)
        {
            var extended = new byte[length == 126 ? 2 : 8];
            await Stream.ReadExactlyAsync(extended, Token);
            length = length == 126 ? BinaryPrimitives.ReadUInt16BigEndian(extended) : (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
        }

        var payload = new byte[length];
        await Stream.ReadExactlyAsync(payload, Token);
        return (header[0] & 0x0F, payload);
    }

    /// <summary>The next frame, which must be a text frame, as text (tests end before the server's first Engine.IO ping).</summary>
    public async Task<string> ReadTextAsync()
    {
        var (opcode, payload) = await ReadFrameAsync();
        Assert.Equal(0x1, opcode);
        return Encoding.UTF8.GetString(payload);
    }

    /// <summary>Reads until a close frame and returns its status code; then the server ends the connection.</summary>
    public async Task<int> ReadCloseAsync()
    {
        while (true)
        {
            var (opcode, payload) = await ReadFrameAsync();
            if (opcode == 0x8)
            {
                return payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 1005;
            }
        }
    }

    /// <summary>Whether the server has ended the connection (a read returns nothing).</summary>
    public async Task<bool> EndedAsync()
    {
        try
        {
            return await Stream.ReadAsync(new byte[1], Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>A client frame: first byte as given (FIN, RSV, opcode), masked unless told otherwise.</summary>
    public static byte[] Frame(byte first, ReadOnlySpan<byte> payload, bool mask = true)
    {
        var lengthBytes = payload.Length < 126 ? 0 : payload.Length <= ushort.MaxValue ? 2 : 8;
        var frame = new byte[2 + lengthBytes + (mask ? 4 : 0) + payload.Length];
        frame[0] = first;
        frame[1] = (byte)((mask ? 0x80 : 0) | (lengthBytes == 0 ? payload.Length : lengthBytes == 2 ? 126 : 127));
        if (lengthBytes == 2)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else if (lengthBytes == 8)
        {
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }

        var offset = 2 + lengthBytes;
        var key = mask ? RandomNumberGenerator.GetBytes(4) : [0, 0, 0, 0];
        key.AsSpan(0, mask ? 4 : 0).CopyTo(frame.AsSpan(offset));
        offset += mask ? 4 : 0;
        for (var i = 0; i < payload.Length; i++)
        {
            frame[offset + i] = (byte)(payload[i] ^ key[i % 4]);
        }

        return frame;
    }

    public static byte[] Text(string text, bool final = true) => Frame((byte)((final ? 0x80 : 0) | 0x1), Encoding.UTF8.GetBytes(text));

    public Task SendAsync(byte[] bytes) => Stream.WriteAsync(bytes, Token).AsTask();

    /// <summary>Sends the bytes one by one, flushed each time, so the server gets them in as many reads as it can.</summary>
    public async Task TrickleAsync(byte[] bytes)
    {
        foreach (var b in bytes)
        {
            await Stream.WriteAsync(new[] { b }, Token);
            await Stream.FlushAsync(Token);
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        _timeout.Dispose();
        return ValueTask.CompletedTask;
    }
}
