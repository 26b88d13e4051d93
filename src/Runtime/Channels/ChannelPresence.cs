using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Channels.Backplane;
using Channels.Diagnostics;

namespace Channels;

/// <summary>
/// Presence on this server's side: which of its sockets are tracked in which channel, the limits, and the
/// joins and leaves published (through the backplane, as ordinary publications to the channel) when they
/// change. The members themselves are kept by the <see cref="IChannelPresence"/> store. Everything that
/// changes a socket's presence runs on that socket's connection loop, so track, untrack, unsubscribe and the
/// close sequence of one socket never race.
/// </summary>
internal sealed class ChannelPresence(ChannelsOptions options, IChannelPresence store, IChannelBackplane backplane, ChannelsLog log)
{
    private static readonly KeyValuePair<string, ReadOnlyMemory<byte>>[] None = [];

    private readonly ConcurrentDictionary<(string SocketId, string Channel), byte> _tracked = new();
    private readonly ConcurrentDictionary<(string SocketId, string Channel), Pending> _subscribing = new();

    /// <summary>
    /// The metadata as UTF-8 JSON, through the app's JSON options (its source-generated context under
    /// NativeAOT); refused when it is larger than <see cref="ChannelsOptions.MaxPresenceMetaBytes"/>.
    /// </summary>
    public byte[] Serialize<T>(T meta)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(meta, (JsonTypeInfo<T>)options.JsonSerializerOptions.GetTypeInfo(typeof(T)));
        if (bytes.Length > options.MaxPresenceMetaBytes)
        {
            throw new ArgumentException(
                $"Presence metadata of {bytes.Length} bytes is larger than ChannelsOptions.MaxPresenceMetaBytes ({options.MaxPresenceMetaBytes}).",
                nameof(meta));
        }

        return bytes;
    }

    /// <summary>
    /// Tracks a socket in a channel it holds (a join, or new metadata); during its <c>[OnSubscribe]</c>
    /// handlers, in the channel it is subscribing to, once the subscription is made. On the socket's loop.
    /// </summary>
    /// <exception cref="InvalidOperationException">The socket does not hold the channel, or the channel's presence is full.</exception>
    public async ValueTask TrackAsync(IChannelMember member, string channel, byte[] meta)
    {
        if (_subscribing.TryGetValue((member.Id, channel), out var pending))
        {
            pending.Meta = meta;
            return;
        }

        if (!member.Subscriptions.Contains(channel))
        {
            throw new InvalidOperationException(
                $"Socket {member.Id} is not subscribed to channel '{channel}': only a subscriber is tracked in a channel's presence. " +
                "Track it in [OnSubscribe] or after SubscribeAsync.");
        }

        if (await JoinAsync(member, channel, meta) is { } full)
        {
            throw new InvalidOperationException(full);
        }
    }

    /// <summary>Takes a socket out of a channel's presence (publishing its leave); false when it was not tracked there.</summary>
    public async ValueTask<bool> UntrackAsync(IChannelMember member, string channel)
    {
        if (_subscribing.TryGetValue((member.Id, channel), out var pending))
        {
            pending.Meta = null;
            return false;
        }

        return await LeaveAsync(member, channel);
    }

    /// <summary>A subscription is being decided: a track meanwhile waits for it (<see cref="EndSubscribe"/>).</summary>
    public void BeginSubscribe(IChannelMember member, string channel) => _subscribing[(member.Id, channel)] = new Pending();

    /// <summary>The subscription is decided: the metadata a handler tracked meanwhile, if any.</summary>
    public byte[]? EndSubscribe(IChannelMember member, string channel) =>
        _subscribing.TryRemove((member.Id, channel), out var pending) ? pending.Meta : null;

    /// <summary>Adds the socket to the channel's presence and publishes the join; the refusal when the channel is full.</summary>
    public async ValueTask<string?> JoinAsync(IChannelMember member, string channel, byte[] meta)
    {
        var result = await store.TrackAsync(member.Namespace, channel, member.Id, meta, options.MaxPresenceMembersPerChannel, member.Socket.Disconnected);
        if (result == PresenceTrackResult.Full)
        {
            var error = $"presence of channel '{Protocol.ClientText.Excerpt(channel)}' is full ({options.MaxPresenceMembersPerChannel} members)";
            log.PresenceFull(member.Id, error);
            return error;
        }

        _tracked[(member.Id, channel)] = 0;
        await backplane.PublishAsync(PresenceDiff.Publication(channel, [new(member.Id, meta)], None, member.Namespace));
        return null;
    }

    /// <summary>
    /// The socket leaves the channel's presence, if it was tracked there (untrack, unsubscribe, the close
    /// sequence), and the leave is published. A store that fails is logged: a leave never stops a close sequence.
    /// </summary>
    public async ValueTask<bool> LeaveAsync(IChannelMember member, string channel)
    {
        if (!_tracked.TryRemove((member.Id, channel), out _))
        {
            return false;
        }

        try
        {
            if (await store.UntrackAsync(member.Namespace, channel, member.Id, CancellationToken.None) is { } meta)
            {
                await backplane.PublishAsync(PresenceDiff.Publication(channel, None, [new(member.Id, meta)], member.Namespace));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log.PresenceLeaveFailed(ex, member.Id);
        }

        return true;
    }

    /// <summary>
    /// A socket recovered here from another server (connection-state recovery): where it is a member, this
    /// server tracks it again under its own name, with the metadata it had, and publishes nothing (it never left).
    /// </summary>
    public async ValueTask AdoptAsync(IChannelMember member, string channel)
    {
        foreach (var (id, meta) in await store.GetMembersAsync(member.Namespace, channel, CancellationToken.None))
        {
            if (string.Equals(id, member.Id, StringComparison.Ordinal))
            {
                await store.TrackAsync(member.Namespace, channel, member.Id, meta, int.MaxValue, CancellationToken.None);
                _tracked[(member.Id, channel)] = 0;
                return;
            }
        }
    }

    /// <summary>The socket went on living on another server: forgotten here, without a leave.</summary>
    public async ValueTask ForgetAsync(IChannelMember member, string channel)
    {
        if (_tracked.TryRemove((member.Id, channel), out _))
        {
            try
            {
                await store.ForgetAsync(member.Namespace, channel, member.Id, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                log.PresenceLeaveFailed(ex, member.Id);
            }
        }
    }

    /// <summary>The channel's members on every server, less <paramref name="except"/>.</summary>
    public async ValueTask<IReadOnlyDictionary<string, JsonElement>> MembersAsync(string @namespace, string channel, string? except, CancellationToken cancellationToken)
    {
        var members = await store.GetMembersAsync(@namespace, channel, cancellationToken);
        var result = new Dictionary<string, JsonElement>(members.Count, StringComparer.Ordinal);
        foreach (var (id, meta) in members)
        {
            if (!string.Equals(id, except, StringComparison.Ordinal))
            {
                result[id] = JsonElement.Parse(meta.Span);
            }
        }

        return result;
    }

    /// <summary>
    /// The answer to a client's <c>presence</c> request: <c>{"ok":true,"state":{id: meta, …}}</c>, as one JSON value;
    /// null when it is larger than half of <see cref="ChannelsOptions.MaxOutboundBytes"/>, which would fill the
    /// client's queue and disconnect it as a slow consumer.
    /// </summary>
    public async ValueTask<JsonElement?> StateAsync(string @namespace, string channel, CancellationToken cancellationToken)
    {
        var members = await store.GetMembersAsync(@namespace, channel, cancellationToken);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("ok", true);
            PresenceDiff.WriteMembers(json, "state", members);
            json.WriteEndObject();
        }

        return buffer.WrittenCount > options.MaxOutboundBytes / 2 ? null : JsonElement.Parse(buffer.WrittenSpan);
    }

    private sealed class Pending
    {
        public byte[]? Meta;
    }
}
