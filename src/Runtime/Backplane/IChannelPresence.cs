namespace Channels.Backplane;

/// <summary>What <see cref="IChannelPresence.TrackAsync"/> did.</summary>
public enum PresenceTrackResult
{
    /// <summary>The socket was not in the channel's presence and now is.</summary>
    Joined,

    /// <summary>The socket was already in the channel's presence; its metadata was replaced.</summary>
    Updated,

    /// <summary>The channel's presence holds its most members already: nothing changed.</summary>
    Full,
}

/// <summary>
/// Where presence is kept: for each channel of a namespace, the sockets tracked in it and their metadata
/// (UTF-8 JSON, serialized by the runtime). The default keeps it in this server's memory; the Redis
/// backplane keeps one view for every server and removes the members of a server that stops answering.
/// The runtime publishes the joins and leaves it causes; a store publishes only the leaves it makes itself
/// (a dead server's members), with <see cref="PresenceDiff"/>.
/// </summary>
public interface IChannelPresence
{
    /// <summary>
    /// Adds the socket to the channel's presence with <paramref name="meta"/>, or replaces its metadata;
    /// refuses (<see cref="PresenceTrackResult.Full"/>) a new member when the channel holds
    /// <paramref name="maxMembers"/> already.
    /// </summary>
    ValueTask<PresenceTrackResult> TrackAsync(string @namespace, string channel, string socketId, ReadOnlyMemory<byte> meta, int maxMembers, CancellationToken cancellationToken);

    /// <summary>Removes the socket from the channel's presence; returns the metadata it had, or null when it was not there.</summary>
    ValueTask<ReadOnlyMemory<byte>?> UntrackAsync(string @namespace, string channel, string socketId, CancellationToken cancellationToken);

    /// <summary>
    /// This server no longer holds the socket, which lives on on another server (a client that recovered its
    /// session there, see <see cref="ChannelsOptions.ConnectionStateRecovery"/>): forget it here without a
    /// leave. The other server has tracked it again under its own name.
    /// </summary>
    ValueTask ForgetAsync(string @namespace, string channel, string socketId, CancellationToken cancellationToken);

    /// <summary>The channel's members, on every server: socket id and metadata (UTF-8 JSON).</summary>
    ValueTask<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> GetMembersAsync(string @namespace, string channel, CancellationToken cancellationToken);
}
