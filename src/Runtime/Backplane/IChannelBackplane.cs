namespace Channels.Backplane;

/// <summary>
/// The broadcast seam: every broadcast, channel broadcast and send-by-id goes through it. The default
/// delivers to this server's sockets; a backplane (Redis) also carries publications to other servers
/// and hands what they publish to <see cref="IChannelDelivery"/>.
/// </summary>
public interface IChannelBackplane
{
    /// <summary>Delivers a publication to its recipients, wherever they are connected.</summary>
    ValueTask PublishAsync(ChannelPublication publication);

    /// <summary>This server now has a local subscriber of <paramref name="channel"/> (the first one).</summary>
    ValueTask ChannelOccupiedAsync(string @namespace, string channel);

    /// <summary>This server's last local subscriber of <paramref name="channel"/> left.</summary>
    ValueTask ChannelVacatedAsync(string @namespace, string channel);

    /// <summary>
    /// Runs a command on the sockets it selects on every server, this one included, and merges the
    /// answers. A command for one socket id ends at the server that holds it.
    /// </summary>
    /// <exception cref="TimeoutException">Some server did not answer in time.</exception>
    ValueTask<SocketCommandResult> ExecuteAsync(SocketCommand command, CancellationToken cancellationToken);
}

/// <summary>Delivers a publication to the sockets connected to this server.</summary>
public interface IChannelDelivery
{
    /// <summary>Writes the publication's packets to the matching local sockets; returns how many received it.</summary>
    int Deliver(ChannelPublication publication);

    /// <summary>Runs a command on the matching local sockets (handlers run on each socket's own loop).</summary>
    ValueTask<SocketCommandResult> ExecuteAsync(SocketCommand command, CancellationToken cancellationToken);
}
