namespace Channels.Protocol;

/// <summary>Why a client's packet was refused. The text is logged and reported to <c>[OnError]</c>.</summary>
internal static class ProtocolErrors
{
    public const string UnknownType = "unknown packet type";
    public const string BadAttachments = "invalid attachment count";
    public const string TooManyAttachments = "too many attachments";
    public const string BadNamespace = "invalid namespace";
    public const string BadAckId = "invalid ack id";
    public const string BadJson = "invalid JSON payload";
    public const string BadPayload = "invalid payload for this packet type";
    public const string ReservedEvent = "reserved event name";
}
