using System.Text.Json.Serialization;

namespace Channels;

/// <summary>The answer to <c>subscribe</c>, <c>unsubscribe</c> and <c>publish</c>: <c>{"ok":true}</c> or <c>{"ok":false,"error":"…"}</c>.</summary>
/// <param name="Ok">Whether the request was carried out.</param>
/// <param name="Error">Why not, when <paramref name="Ok"/> is false.</param>
public sealed record ChannelAck(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null)
{
    /// <summary>The success answer.</summary>
    public static ChannelAck Success { get; } = new(true);

    /// <summary>The refusal of an event over the named limit of <see cref="ChannelsOptions.EventRateLimits"/>.</summary>
    internal static ChannelAck RateLimited(string limit) => new(false, $"rate limit '{limit}' exceeded");

    /// <summary>The answer to an event whose result the server could not send (the detail goes to the log and <c>[OnError]</c>).</summary>
    internal static ChannelAck InternalError { get; } = new(false, "internal server error");
}
