using System.Collections.Concurrent;
using Channels.Dispatch;
using Channels.Protocol;
using Channels.Sockets;
using Channels.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Channels.Hosting;

/// <summary>
/// The runtime's root: options, handlers, the registry, the broadcast seam and the Engine.IO endpoint,
/// and the live connections (for shutdown). One per app.
/// </summary>
internal sealed class ChannelsServer
{
    private readonly ConcurrentDictionary<SocketIoConnection, byte> _connections = new();

    public ChannelsServer(
        IOptions<ChannelsOptions> options,
        IEnumerable<IChannelHandlerTable> tables,
        ChannelRegistry registry,
        IChannelBackplane backplane,
        ILoggerFactory loggers,
        ChannelsMetrics metrics,
        IServiceProvider services)
    {
        Options = options.Value;
        Dispatcher = new ChannelDispatcher(tables);
        Registry = registry;
        Backplane = backplane;
        Log = new ChannelsLog(loggers.CreateLogger("Channels"));
        Metrics = metrics;
        Services = services;
        Engine = new EngineServer(Options, Log, Metrics, CreateConnection);
    }

    public ChannelsOptions Options { get; }

    public ChannelDispatcher Dispatcher { get; }

    public ChannelRegistry Registry { get; }

    public IChannelBackplane Backplane { get; }

    public ChannelsLog Log { get; }

    public ChannelsMetrics Metrics { get; }

    public IServiceProvider Services { get; }

    public EngineServer Engine { get; }

    private IEngineHandler CreateConnection(EngineSession session, HttpContext http)
    {
        var connection = new SocketIoConnection(this, session, HttpContextSnapshot.Create(http, Services));
        _connections[connection] = 0;
        session.Closed.Register(static state =>
        {
            var (server, connection) = ((ChannelsServer, SocketIoConnection))state!;
            server._connections.TryRemove(connection, out _);
        }, (this, connection));
        return connection;
    }

    /// <summary>Ends every connection, running each one's close sequence, before the host stops.</summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        var connections = _connections.Keys.ToArray();
        Log.ShuttingDown(connections.Length);
        await Task.WhenAll(connections.Select(c => c.ShutdownAsync())).WaitAsync(cancellationToken);
    }

    /// <summary><c>["message", message]</c> or <c>["message", message, channel]</c>, encoded once.</summary>
    public EncodedPacket EncodeMessage<T>(string @namespace, T message, string? channel)
    {
        var writer = PacketWriter.Rent(Options.JsonSerializerOptions);
        try
        {
            writer.WriteString("message");
            writer.WriteValue(message);
            if (channel is not null)
            {
                writer.WriteString(channel);
            }
        }
        catch
        {
            writer.Return();
            throw;
        }

        return writer.Finish(ack: false, @namespace, ackId: -1);
    }

    /// <summary><c>["name", …args]</c>, with an ack id when one is given.</summary>
    public EncodedPacket EncodeEvent(string @namespace, string eventName, object?[] args, long ackId)
    {
        var writer = PacketWriter.Rent(Options.JsonSerializerOptions);
        try
        {
            writer.WriteString(eventName);
            foreach (var arg in args)
            {
                writer.WriteObject(arg);
            }
        }
        catch
        {
            writer.Return();
            throw;
        }

        return writer.Finish(ack: false, @namespace, ackId);
    }

    /// <summary>An ACK carrying one <see cref="ChannelAck"/>.</summary>
    public EncodedPacket EncodeAck(string @namespace, long ackId, ChannelAck ack)
    {
        var writer = PacketWriter.Rent(Options.JsonSerializerOptions);
        writer.WriteValue(ack);
        return writer.Finish(ack: true, @namespace, ackId);
    }

    /// <summary>An ACK carrying a handler's value (a payload's arguments as they are), or no argument.</summary>
    public EncodedPacket EncodeAckValue(string @namespace, long ackId, object? value, bool hasValue)
    {
        var writer = PacketWriter.Rent(Options.JsonSerializerOptions);
        try
        {
            if (hasValue)
            {
                writer.WriteObject(value);
            }
        }
        catch
        {
            writer.Return();
            throw;
        }

        return writer.Finish(ack: true, @namespace, ackId);
    }
}
