using System.Collections.Concurrent;
using System.Text;
using Channels.Backplane;
using Channels.Dispatch;
using Channels.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Tests.Integration;

/// <summary>
/// A broadcast to every channel a socket holds (a plain message relayed with no channel) is encoded once,
/// crosses the backplane once, and reaches each subscriber once, with a channel it holds.
/// </summary>
public sealed class MultiChannelBroadcastTests
{
    /// <summary>The local backplane, recording what crosses it.</summary>
    private sealed class RecordingBackplane(ChannelRegistry registry) : IChannelBackplane
    {
        public ConcurrentQueue<ChannelPublication> Publications { get; } = new();

        public ValueTask PublishAsync(ChannelPublication publication)
        {
            Publications.Enqueue(publication);
            registry.Deliver(publication);
            return ValueTask.CompletedTask;
        }

        public ValueTask ChannelOccupiedAsync(string @namespace, string channel) => ValueTask.CompletedTask;

        public ValueTask ChannelVacatedAsync(string @namespace, string channel) => ValueTask.CompletedTask;

        public ValueTask<SocketCommandResult> ExecuteAsync(SocketCommand command, CancellationToken cancellationToken) =>
            registry.ExecuteAsync(command, cancellationToken);
    }

    [Fact]
    public async Task A_plain_message_relayed_to_every_channel_is_one_publication_and_each_subscriber_gets_it_once()
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Message, async e =>
        {
            await e.Socket.BroadcastChannelAsync(e.Payload.GetElement(0));
            return HandlerResult.Continue;
        });
        RecordingBackplane? backplane = null;
        await using var server = await TestServer.StartAsync(handlers, services: s => s.AddSingleton<IChannelBackplane>(sp =>
            backplane = new RecordingBackplane(sp.GetRequiredService<ChannelRegistry>())));
        await using var node = NodeClients.Start();
        var websocket = new { transports = new[] { "websocket" } };
        foreach (var (client, channels) in new[] { ("sender", new[] { "room-1", "room-2", "room-3" }), ("a", ["room-2"]), ("b", ["room-3", "room-1"]) })
        {
            await node.ConnectedAsync(client, server.Address, options: websocket);
            foreach (var channel in channels)
            {
                await node.EmitWithAckAsync(client, "subscribe", channel);
            }
        }

        await node.EmitWithAckAsync("sender", "message", "to all my rooms");
        var toA = await node.WaitAsync("a", "event", "message");
        var toB = await node.WaitAsync("b", "event", "message");
        await node.EmitWithAckAsync("sender", "message", "second");
        var nextToB = await node.WaitAsync("b", "event", "message");

        var publication = backplane!.Publications.First();
        Assert.True(publication.AppendsChannel);
        Assert.Equal(["room-1", "room-2", "room-3"], publication.Channels);
        Assert.Single(publication.Packets);
        Assert.Equal(["to all my rooms", "room-2"], toA["args"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["to all my rooms", "room-1"], toB["args"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("second", nextToB["args"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("42[\"message\",\"x\"]", "room-1", "42[\"message\",\"x\",\"room-1\"]")]
    [InlineData("42/admin,[\"message\",{\"a\":1}]", "r\"é", "42/admin,[\"message\",{\"a\":1},\"r\\u0022\\u00E9\"]")]
    public void WithChannel_appends_the_channel_escaped_as_every_string_is_written(string frame, string channel, string expected)
    {
        var attachments = new ReadOnlyMemory<byte>[] { new byte[] { 9 } };
        var packet = new EncodedPacket(Encoding.UTF8.GetBytes(frame), attachments);

        var withChannel = PacketEncoder.WithChannel(packet, channel);

        Assert.Equal(expected, withChannel.ToString());
        Assert.Same(packet.Attachments, withChannel.Attachments);
    }
}
