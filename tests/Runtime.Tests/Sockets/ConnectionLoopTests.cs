using Channels.Diagnostics;
using Channels.Protocol;
using Channels.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Channels.Tests.Sockets;

/// <summary>The connection loop's queue is bounded in bytes as well as in items: a client cannot park megabytes behind a slow handler.</summary>
public sealed class ConnectionLoopTests
{
    /// <summary>Runs each packet until the test opens its gate.</summary>
    private sealed class GatedOwner : IConnectionLoopOwner
    {
        public TaskCompletionSource Gate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask HandleAsync(SocketIoPacket packet)
        {
            Started.TrySetResult();
            await Gate.Task;
        }

        public ValueTask HandleInvalidAsync(string reason) => ValueTask.CompletedTask;

        public ValueTask OnLoopEndedAsync() => ValueTask.CompletedTask;
    }

    private static SocketIoPacket Packet() => new(SocketIoPacketType.Event, "/", -1, 0, ReadOnlyMemory<byte>.Empty, null);

    [Fact]
    public async Task The_read_side_waits_while_the_queued_bytes_are_at_the_bound_and_goes_on_when_they_drain()
    {
        var owner = new GatedOwner();
        var loop = new ConnectionLoop(owner, capacity: 64, maxBytes: 100, "session", new ChannelsLog(NullLogger.Instance), new ChannelsMetrics());

        Assert.True(await loop.PostAsync(Packet(), 60, CancellationToken.None));
        await owner.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(await loop.PostAsync(Packet(), 60, CancellationToken.None));
        var third = loop.PostAsync(Packet(), 60, CancellationToken.None).AsTask();
        var waitedForRoom = !third.IsCompleted;
        owner.Gate.TrySetResult();

        Assert.True(waitedForRoom);
        Assert.True(await third.WaitAsync(TimeSpan.FromSeconds(10)));
        loop.Complete();
        await loop.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task One_packet_larger_than_the_bound_goes_in_when_nothing_waits()
    {
        var owner = new GatedOwner();
        owner.Gate.TrySetResult();
        var loop = new ConnectionLoop(owner, capacity: 64, maxBytes: 100, "session", new ChannelsLog(NullLogger.Instance), new ChannelsMetrics());

        Assert.True(await loop.PostAsync(Packet(), 1_000, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        loop.Complete();
        await loop.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
