using System.Text.Json;
using Channels.Backplane;

namespace Channels;

/// <summary>Presence of a channel target.</summary>
public sealed partial class ChannelTarget
{
    /// <summary>
    /// The members of this target's channel's presence, on every server: socket id → metadata, as the JSON
    /// it was tracked with (<see cref="ChannelSocket.TrackAsync{T}"/>); less the socket this target leaves out.
    /// </summary>
    /// <example><code>var here = await publisher.Channel("room-1").PresenceAsync();</code></example>
    /// <exception cref="InvalidOperationException">This target is not one channel.</exception>
    public async ValueTask<IReadOnlyDictionary<string, JsonElement>> PresenceAsync(CancellationToken cancellationToken = default)
    {
        if (_target != PublicationTarget.Channels || _channels.Length != 1)
        {
            throw new InvalidOperationException($"Presence is a channel's: use publisher.Channel(channel).PresenceAsync(), not {this}.");
        }

        var presence = _server.Presence ?? throw new InvalidOperationException("Presence is not available in this app.");
        return await presence.MembersAsync(_namespace, _channels[0], _except, cancellationToken);
    }
}
