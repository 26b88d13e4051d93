using System.Collections.Concurrent;
using Channels.Backplane;
using Channels.Diagnostics;
using Channels.Protocol;

namespace Channels;

/// <summary>
/// Who is connected and who is subscribed to what, on this server. Safe for concurrent use: each
/// channel's members sit behind their own lock, and a broadcast walks an immutable snapshot.
/// </summary>
internal sealed partial class ChannelRegistry(MessageLog? messageLog = null) : IChannelDelivery
{
    private readonly ConcurrentDictionary<string, IChannelMember> _sockets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NamespaceMembers> _namespaces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Namespace, string Channel), Group> _channels = new();

    public int SocketCount => _sockets.Count;

    public void AddSocket(IChannelMember socket)
    {
        _sockets[socket.Id] = socket;
        _namespaces.GetOrAdd(socket.Namespace, static _ => new NamespaceMembers()).Add(socket);
    }

    public void RemoveSocket(IChannelMember socket)
    {
        _sockets.TryRemove(new KeyValuePair<string, IChannelMember>(socket.Id, socket));
        if (_namespaces.TryGetValue(socket.Namespace, out var members))
        {
            members.Remove(socket);
        }
    }

    /// <summary>How many sockets of <paramref name="namespace"/> are connected to this server.</summary>
    public int CountSockets(string @namespace) => _namespaces.TryGetValue(@namespace, out var members) ? members.GetSnapshot().Length : 0;

    public IChannelMember? FindSocket(string id) => _sockets.TryGetValue(id, out var socket) ? socket : null;

    /// <summary>Adds a member; true when it is the channel's first local member.</summary>
    public bool Subscribe(IChannelMember socket, string channel)
    {
        while (true)
        {
            var group = _channels.GetOrAdd((socket.Namespace, channel), static _ => new Group());
            lock (group)
            {
                if (group.Retired)
                {
                    continue;
                }

                group.Members.Add(socket);
                group.Snapshot = null;
                return group.Members.Count == 1;
            }
        }
    }

    /// <summary>Removes a member; true when it was the channel's last local member.</summary>
    public bool Unsubscribe(IChannelMember socket, string channel)
    {
        var key = (socket.Namespace, channel);
        if (!_channels.TryGetValue(key, out var group))
        {
            return false;
        }

        lock (group)
        {
            if (!group.Members.Remove(socket))
            {
                return false;
            }

            group.Snapshot = null;
            if (group.Members.Count > 0)
            {
                return false;
            }

            group.Retired = true;
            _channels.TryRemove(new KeyValuePair<(string, string), Group>(key, group));
            return true;
        }
    }

    public int CountSubscribers(string @namespace, string channel) =>
        _channels.TryGetValue((@namespace, channel), out var group) ? group.GetSnapshot().Length : 0;

    public int Deliver(ChannelPublication publication)
    {
        var delivered = DeliverHere(publication);
        messageLog?.Out(publication, delivered);
        return delivered;
    }

    private int DeliverHere(ChannelPublication publication)
    {
        switch (publication.Target)
        {
            case PublicationTarget.Socket:
                return FindSocket(publication.SocketId!) is { } target
                    && target.Deliver(Stamp(PacketEncoder.Readdress(publication.Packets[0], publication.Namespace, target.Namespace), publication))
                    ? 1
                    : 0;
            case PublicationTarget.All:
                return _namespaces.TryGetValue(publication.Namespace, out var members)
                    ? DeliverTo(members.GetSnapshot(), Stamp(publication.Packets[0], publication), publication.ExceptSocketId, null)
                    : 0;
            default:
                return DeliverToChannels(publication);
        }
    }

    private int DeliverToChannels(ChannelPublication publication)
    {
        var channels = publication.Channels;
        if (channels.Count == 1 && !publication.AppendsChannel)
        {
            return _channels.TryGetValue((publication.Namespace, channels[0]), out var only)
                ? DeliverTo(only.GetSnapshot(), Stamp(publication.Packets[0], publication), publication.ExceptSocketId, null)
                : 0;
        }

        var seen = new HashSet<IChannelMember>();
        var delivered = 0;
        for (var i = 0; i < channels.Count; i++)
        {
            if (_channels.TryGetValue((publication.Namespace, channels[i]), out var group))
            {
                // One packet per channel held here, made from the message encoded once.
                var packet = publication.AppendsChannel ? PacketEncoder.WithChannel(publication.Packets[0], channels[i]) : publication.Packets[i];
                delivered += DeliverTo(group.GetSnapshot(), Stamp(packet, publication), publication.ExceptSocketId, seen);
            }
        }

        return delivered;
    }

    /// <summary>The packet with the publication's recovery offset, when it has one (once per publication, not per socket).</summary>
    internal static EncodedPacket Stamp(EncodedPacket packet, ChannelPublication publication) =>
        publication.Offset is { } offset ? PacketEncoder.WithOffset(packet, offset) : packet;

    private static int DeliverTo(IChannelMember[] sockets, EncodedPacket packet, string? except, HashSet<IChannelMember>? seen)
    {
        var delivered = 0;
        foreach (var socket in sockets)
        {
            // By id, not by a lookup in the registry: a socket still in [OnConnect], or already in
            // [OnDisconnect], is in its channels but not registered, and is left out all the same.
            if ((except is null || !string.Equals(socket.Id, except, StringComparison.Ordinal))
                && (seen is null || seen.Add(socket))
                && socket.Deliver(packet))
            {
                delivered++;
            }
        }

        return delivered;
    }

    private sealed class Group
    {
        public readonly HashSet<IChannelMember> Members = [];
        public IChannelMember[]? Snapshot;
        public bool Retired;

        public IChannelMember[] GetSnapshot()
        {
            lock (this)
            {
                return Snapshot ??= [.. Members];
            }
        }
    }

    private sealed class NamespaceMembers
    {
        private readonly HashSet<IChannelMember> _members = [];
        private IChannelMember[]? _snapshot;

        public void Add(IChannelMember socket)
        {
            lock (_members)
            {
                _members.Add(socket);
                _snapshot = null;
            }
        }

        public void Remove(IChannelMember socket)
        {
            lock (_members)
            {
                _members.Remove(socket);
                _snapshot = null;
            }
        }

        public IChannelMember[] GetSnapshot()
        {
            lock (_members)
            {
                return _snapshot ??= [.. _members];
            }
        }
    }
}
