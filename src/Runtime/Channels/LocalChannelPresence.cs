using Channels.Backplane;

namespace Channels;

/// <summary>
/// The default presence store: this server's memory, one member table per channel, dropped when its last
/// member leaves. Each table is bounded by the limit the runtime passes (members per channel).
/// </summary>
internal sealed class LocalChannelPresence : IChannelPresence
{
    private readonly Dictionary<(string Namespace, string Channel), Dictionary<string, ReadOnlyMemory<byte>>> _channels = [];
    private readonly Lock _gate = new();

    public ValueTask<PresenceTrackResult> TrackAsync(string @namespace, string channel, string socketId, ReadOnlyMemory<byte> meta, int maxMembers, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue((@namespace, channel), out var members))
            {
                if (maxMembers < 1)
                {
                    return new(PresenceTrackResult.Full);
                }

                _channels[(@namespace, channel)] = members = new(StringComparer.Ordinal);
            }

            var held = members.ContainsKey(socketId);
            if (!held && members.Count >= maxMembers)
            {
                return new(PresenceTrackResult.Full);
            }

            members[socketId] = meta;
            return new(held ? PresenceTrackResult.Updated : PresenceTrackResult.Joined);
        }
    }

    public ValueTask<ReadOnlyMemory<byte>?> UntrackAsync(string @namespace, string channel, string socketId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue((@namespace, channel), out var members) || !members.Remove(socketId, out var meta))
            {
                return new((ReadOnlyMemory<byte>?)null);
            }

            if (members.Count == 0)
            {
                _channels.Remove((@namespace, channel));
            }

            return new(meta);
        }
    }

    /// <summary>Nothing to do: one server's sockets never move to another.</summary>
    public ValueTask ForgetAsync(string @namespace, string channel, string socketId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> GetMembersAsync(string @namespace, string channel, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> members = _channels.TryGetValue((@namespace, channel), out var table) ? [.. table] : [];
            return new(members);
        }
    }
}
