using System.Collections;
using System.Net;
using System.Text;
using Channels.Backplane;
using Microsoft.Extensions.Logging;

namespace Channels.Diagnostics;

/// <summary>
/// Writes the message log (<see cref="MessageLogOptions"/>). Built only when the app turns it on: everywhere
/// else the runtime holds null, so the log costs a null check when off. The format is parsed once; each line
/// is a log state that renders it and lists every field, as <c>LoggerMessage</c> does for fixed templates.
/// </summary>
internal sealed class MessageLog
{
    private static readonly EventId Event = new(50, "ChannelsMessage");
    private readonly ILogger _logger;
    private readonly MessageLogOptions _options;
    private readonly string[] _segments;

    public MessageLog(ILogger logger, MessageLogOptions options)
    {
        _logger = logger;
        _options = options;
        _segments = Parse(options.Format);
    }

    /// <summary>Splits a format into literal text and placeholder names (odd indexes); an unknown name throws.</summary>
    public static string[] Parse(string format)
    {
        var segments = new List<string>();
        var at = 0;
        while (format.IndexOf('{', at) is var open and >= 0)
        {
            var close = format.IndexOf('}', open);
            if (close < 0)
            {
                throw new FormatException($"MessageLog.Format: '{{' at {open} is not closed.");
            }

            var name = format[(open + 1)..close];
            if (!MessageLogOptions.Placeholders.Contains(name))
            {
                throw new FormatException($"MessageLog.Format: unknown placeholder '{{{name}}}'; use {string.Join(", ", MessageLogOptions.Placeholders.Select(static p => "{" + p + "}"))}.");
            }

            segments.Add(format[at..open]);
            segments.Add(name);
            at = close + 1;
        }

        segments.Add(format[at..]);
        return [.. segments];
    }

    /// <summary>An event or request from a client (a <c>publish</c> names its channel first).</summary>
    public void In(ChannelSocket socket, string eventName, int size, ChannelPayload payload)
    {
        if (_logger.IsEnabled(_options.Level))
        {
            // The client's channel name as the request will read it: not valid text (a lone surrogate) logs none.
            var channel = eventName == "publish" && payload.Count > 0 && payload.GetValueKind(0) == System.Text.Json.JsonValueKind.String
                && payload.TryGetString(0, out var name) ? name : null;
            Write(new Line(this, "in", socket.Id, socket.Namespace, channel, eventName, size, 1, socket.HttpContext.Connection.RemoteIpAddress, _options.IncludePayload && payload is not null ? Encoding.UTF8.GetString(payload.ToJson()) : null));
        }
    }

    /// <summary>A packet the server sent to one socket.</summary>
    public void Out(ChannelSocket socket, EncodedPacket packet)
    {
        if (_logger.IsEnabled(_options.Level))
        {
            Write(new Line(this, "out", socket.Id, socket.Namespace, null, EventOf(packet), Size(packet), 1, socket.HttpContext.Connection.RemoteIpAddress, JsonOf(packet)));
        }
    }

    /// <summary>A publication delivered on this server, once however many sockets it reached.</summary>
    public void Out(ChannelPublication publication, int recipients)
    {
        if (_logger.IsEnabled(_options.Level))
        {
            var packet = publication.Packets[0];
            var who = publication.Target switch
            {
                PublicationTarget.Socket => publication.SocketId,
                PublicationTarget.All => "*",
                _ => "channel",
            };
            var channel = publication.Target == PublicationTarget.Channels ? string.Join(",", publication.Channels) : null;
            Write(new Line(this, "out", who, publication.Namespace, channel, EventOf(packet), Size(packet), recipients, null, JsonOf(packet)));
        }
    }

    private void Write(Line line) => _logger.Log(_options.Level, Event, line, null, static (state, _) => state.ToString());

    private static int Size(EncodedPacket packet) => (int)packet.Size;

    /// <summary>The event name of an encoded EVENT (<c>42…["name",…]</c>), <c>ack</c> for an ACK.</summary>
    private static string EventOf(EncodedPacket packet)
    {
        var frame = packet.Frame.Span;
        if (frame.Length < 2 || frame[1] is (byte)'3' or (byte)'6')
        {
            return "ack";
        }

        var start = frame.IndexOf((byte)'[');
        if (start < 0 || start + 2 >= frame.Length || frame[start + 1] != (byte)'"')
        {
            return "?";
        }

        var end = frame[(start + 2)..].IndexOf((byte)'"');
        return end < 0 ? "?" : Encoding.UTF8.GetString(frame.Slice(start + 2, end));
    }

    private string? JsonOf(EncodedPacket packet)
    {
        if (!_options.IncludePayload)
        {
            return null;
        }

        var frame = packet.Frame.Span;
        var start = frame.IndexOf((byte)'[');
        return start < 0 ? null : Encoding.UTF8.GetString(frame[start..]);
    }

    /// <summary>One log entry: the rendered line, and each field as a property.</summary>
    private sealed class Line(MessageLog log, string direction, string? socket, string @namespace, string? channel, string @event, int size, int recipients, IPAddress? address, string? payload)
        : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 10;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("Direction", direction),
            1 => new("Socket", socket),
            2 => new("Namespace", @namespace),
            3 => new("Channel", channel),
            4 => new("Event", @event),
            5 => new("Size", size),
            6 => new("Recipients", recipients),
            7 => new("Address", address?.ToString()),
            8 => new("Payload", Payload),
            9 => new("{OriginalFormat}", log._options.Format),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        private string? Payload => payload is null || !log._options.IncludePayload ? null
            : payload.Length <= log._options.MaxPayloadChars ? payload
            : payload[..log._options.MaxPayloadChars] + "…";

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString()
        {
            var text = new StringBuilder();
            var segments = log._segments;
            for (var i = 0; i < segments.Length; i++)
            {
                if (i % 2 == 0)
                {
                    text.Append(segments[i]);
                    continue;
                }

                var index = Array.IndexOf(Names, segments[i]);
                text.Append(this[index].Value);
            }

            return text.ToString();
        }

        private static readonly string[] Names = ["Direction", "Socket", "Namespace", "Channel", "Event", "Size", "Recipients", "Address", "Payload"];
    }
}

/// <summary>The message log as a service: null inside when the app did not turn it on.</summary>
internal sealed class MessageLogSource(MessageLog? log)
{
    public MessageLog? Log { get; } = log;
}
