using Channels.Backplane;
using Channels.Protocol;

namespace Channels.Recovery;

/// <summary>What one socket would have received of a logged publication: the same choice the registry makes when it delivers.</summary>
internal static class Replay
{
    /// <summary>
    /// The packet <paramref name="member"/> gets from <paramref name="publication"/> (with its offset), or null
    /// when the publication was not for it: another namespace, another socket, a channel it does not hold, or
    /// the socket the publication excepts. A publication to several channels reaches a socket once, with the
    /// packet of the first channel it holds.
    /// </summary>
    public static EncodedPacket? PacketFor(ChannelPublication publication, IChannelMember member)
    {
        if (publication.Target == PublicationTarget.Socket)
        {
            return string.Equals(publication.SocketId, member.Id, StringComparison.Ordinal)
                ? ChannelRegistry.Stamp(PacketEncoder.Readdress(publication.Packets[0], publication.Namespace, member.Namespace), publication)
                : null;
        }

        if (!string.Equals(publication.Namespace, member.Namespace, StringComparison.Ordinal)
            || string.Equals(publication.ExceptSocketId, member.Id, StringComparison.Ordinal))
        {
            return null;
        }

        if (publication.Target == PublicationTarget.All)
        {
            return ChannelRegistry.Stamp(publication.Packets[0], publication);
        }

        var channels = publication.Channels;
        for (var i = 0; i < channels.Count; i++)
        {
            if (member.Subscriptions.Contains(channels[i]))
            {
                var packet = publication.AppendsChannel ? PacketEncoder.WithChannel(publication.Packets[0], channels[i]) : publication.Packets[i];
                return ChannelRegistry.Stamp(packet, publication);
            }
        }

        return null;
    }
}
