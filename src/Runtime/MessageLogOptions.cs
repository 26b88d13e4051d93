using Microsoft.Extensions.Logging;

namespace Channels;

/// <summary>
/// The message log (<see cref="ChannelsOptions.MessageLog"/>): one log line, in category
/// <c>Channels.Messages</c>, per event or message a client sends and per message or event the server
/// sends (a broadcast once per server, with how many sockets it reached). Payloads are left out unless
/// <see cref="IncludePayload"/> asks for them, and then cut to <see cref="MaxPayloadChars"/>.
/// </summary>
public sealed class MessageLogOptions
{
    /// <summary>The placeholders a <see cref="Format"/> may use.</summary>
    public static IReadOnlyList<string> Placeholders { get; } =
        ["Direction", "Socket", "Namespace", "Channel", "Event", "Size", "Recipients", "Address", "Payload"];

    /// <summary>
    /// The line, with placeholders in braces (as django-socketio's <c>SOCKETIO_MESSAGE_LOG_FORMAT</c>):
    /// <c>{Direction}</c> (<c>in</c> or <c>out</c>), <c>{Socket}</c> (the socket id, or who a broadcast is
    /// for), <c>{Namespace}</c>, <c>{Channel}</c>, <c>{Event}</c>, <c>{Size}</c> (bytes, attachments
    /// included), <c>{Recipients}</c>, <c>{Address}</c> (the client's IP address) and <c>{Payload}</c>.
    /// Each is also a property of the log entry, for structured sinks.
    /// </summary>
    public string Format { get; set; } = "{Direction} {Namespace} {Socket} {Event} {Channel} {Size} B";

    /// <summary>The level of the lines. Default <see cref="LogLevel.Information"/>.</summary>
    public LogLevel Level { get; set; } = LogLevel.Information;

    /// <summary>Whether <c>{Payload}</c> carries the message's JSON (cut to <see cref="MaxPayloadChars"/>); off by default.</summary>
    public bool IncludePayload { get; set; }

    /// <summary>The most characters of a payload logged. Default 200.</summary>
    public int MaxPayloadChars { get; set; } = 200;
}
