using Channels.Backplane;
using Channels.Protocol;

namespace Channels;

/// <summary>The runtime's <see cref="IChannelPublisher"/>: hands out targets that encode once and go through the backplane.</summary>
internal sealed class ChannelPublisher(PacketEncoder encoder, IChannelBackplane backplane, ChannelRegistry registry, ChannelPresence? presence = null) : IChannelPublisher
{
    internal ChannelPresence? Presence => presence;

    internal PacketEncoder Encoder => encoder;

    internal IChannelBackplane Backplane => backplane;

    internal ChannelRegistry Registry => registry;

    public ChannelTarget All => ChannelTarget.ToNamespace(this, "/");

    public ChannelTarget Namespace(string @namespace)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        if (@namespace[0] != '/')
        {
            throw new ArgumentException($"A namespace starts with '/': \"/{@namespace}\", not \"{@namespace}\".", nameof(@namespace));
        }

        return ChannelTarget.ToNamespace(this, @namespace);
    }

    public ChannelTarget Channel(string channel) => All.Channel(channel);

    public ChannelTarget Socket(string socketId)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketId);
        return ChannelTarget.ToSocket(this, socketId);
    }

    public ValueTask SendAsync<T>(string socketId, T message) => Socket(socketId).SendAsync(message);

    public ValueTask BroadcastAsync<T>(T message) => All.SendAsync(message);

    public ValueTask BroadcastChannelAsync<T>(T message, string channel) => Channel(channel).SendAsync(message);
}
