using System.Text.Json;

namespace Channels.Testing;

/// <summary>Presence requests of the test client.</summary>
public sealed partial class ChannelsTestClient
{
    /// <summary>
    /// Asks for the presence of <paramref name="channel"/> (<c>["presence", channel]</c>): socket id → the
    /// metadata the server tracked it with. The changes arrive as <c>presence</c> events (<see cref="NextAsync"/>):
    /// the channel, then <c>{"joins":{…},"leaves":{…}}</c>.
    /// </summary>
    /// <exception cref="ChannelsTestException">The server refused (this client is not subscribed to the channel); the message says why.</exception>
    public async Task<IReadOnlyDictionary<string, JsonElement>> PresenceAsync(string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var reply = await RequestAsync("presence", [channel], cancellationToken).ConfigureAwait(false);
        var answer = reply.Count > 0 ? reply[0] : default;
        if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.Object)
        {
            return state.EnumerateObject().ToDictionary(static p => p.Name, static p => p.Value.Clone(), StringComparer.Ordinal);
        }

        var error = answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String
            ? e.GetString()
            : $"unexpected answer [{string.Join(", ", reply.Select(r => r.GetRawText()))}]";
        throw new ChannelsTestException($"The presence of '{channel}' was refused: {error}.");
    }
}
