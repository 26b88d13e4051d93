using System.Buffers;
using System.Text;

namespace Channels.Transport.Handoff;

/// <summary>
/// The paths <c>MapChannels()</c> mapped, and whether a connection's first request line is a WebSocket
/// handshake for one of them (<c>GET /socket.io/?…transport=websocket… HTTP/1.1</c>): only such connections
/// are given to Kestrel's HTTP layer through a <see cref="HandoffConnection"/>; every other connection
/// (polling, the application's own requests, TLS, HTTP/2) goes through untouched.
/// </summary>
internal sealed class HandoffPaths
{
    private static readonly byte[] Get = "GET "u8.ToArray();
    private static readonly byte[] WebSocketTransport = "transport=websocket"u8.ToArray();
    private volatile byte[][] _prefixes = [];

    /// <summary>The longest request line looked at (Kestrel's own default limit).</summary>
    public const int MaxRequestLine = 8 * 1024;

    /// <summary>Adds a mapped path, such as <c>/socket.io</c>.</summary>
    public void Add(string path)
    {
        lock (this)
        {
            _prefixes = [.. _prefixes, Encoding.UTF8.GetBytes(path.TrimEnd('/') + "/")];
        }
    }

    /// <summary>
    /// Whether <paramref name="start"/>, the first bytes of a connection, hold a whole request line that is a
    /// WebSocket handshake for a mapped path (true), something else (false), or not yet a whole line (null).
    /// </summary>
    public bool? IsHandshake(ReadOnlySequence<byte> start)
    {
        // Kestrel's first read is nearly always one segment: read in place, copied only when split.
        var length = (int)Math.Min(start.Length, MaxRequestLine);
        ReadOnlySpan<byte> bytes;
        if (start.FirstSpan.Length >= length)
        {
            bytes = start.FirstSpan[..length];
        }
        else
        {
            var copy = new byte[length];
            start.Slice(0, length).CopyTo(copy);
            bytes = copy;
        }

        var end = bytes.IndexOf("\r\n"u8);
        if (end < 0)
        {
            return length == MaxRequestLine || !Get.AsSpan().StartsWith(bytes[..Math.Min(bytes.Length, Get.Length)]) ? false : null;
        }

        var line = bytes[..end];
        if (!line.StartsWith(Get))
        {
            return false;
        }

        var target = line[Get.Length..];
        var space = target.IndexOf((byte)' ');
        target = space < 0 ? target : target[..space];
        if (target.IndexOf(WebSocketTransport) < 0)
        {
            return false;
        }

        foreach (var prefix in _prefixes)
        {
            if (target.Length >= prefix.Length && Ascii.EqualsIgnoreCase(target[..prefix.Length], prefix))
            {
                return true;
            }
        }

        return false;
    }
}
