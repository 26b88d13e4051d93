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

    /// <summary>Counts packets and the end; each packet handled synchronously.</summary>
    private sealed class CountingOwner : IConnectionLoopOwner
    {
        public List<int> Sizes { get; } = [];

        public int Ends { get; private set; }

        public ValueTask HandleAsync(SocketIoPacket packet)
        {
            lock (Sizes)
            {
                Sizes.Add(packet.Size);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask HandleInvalidAsync(string reason) => ValueTask.CompletedTask;

        public ValueTask OnLoopEndedAsync()
        {
            Ends++;
            return ValueTask.CompletedTask;
        }
    }

    private static SocketIoPacket Sized(int size) => new(SocketIoPacketType.Event, "/", -1, 0, new byte[size], null);

    [Fact]
    public async Task Items_posted_across_idle_periods_run_in_order_and_the_end_runs_once_after_them()
    {
        // The loop runs only while it has items (issue 18): it stops when drained and starts again.
        var owner = new CountingOwner();
        var loop = new ConnectionLoop(owner, capacity: 64, maxBytes: 1_000_000, "session", new ChannelsLog(NullLogger.Instance), new ChannelsMetrics());
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.OnEnded(static state => ((TaskCompletionSource)state).TrySetResult(), ended);

        for (var round = 0; round < 5; round++)
        {
            for (var i = 1; i <= 10; i++)
            {
                Assert.True(await loop.PostAsync(Sized((round * 10) + i), 1, CancellationToken.None));
            }

            // Idle again before the next round.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (owner.Sizes.Count < (round + 1) * 10 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }
        }

        loop.Complete();
        Assert.False(await loop.PostAsync(Sized(1), 1, CancellationToken.None));
        await ended.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await loop.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(1, 50), owner.Sizes);
        Assert.Equal(1, owner.Ends);
    }

    [Fact]
    public async Task Completion_and_the_end_callback_asked_for_after_the_end_are_complete_at_once()
    {
        var owner = new CountingOwner();
        var loop = new ConnectionLoop(owner, capacity: 64, maxBytes: 100, "session", new ChannelsLog(NullLogger.Instance), new ChannelsMetrics());
        loop.Complete();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (owner.Ends == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        await Task.Delay(50);
        var called = false;
        loop.OnEnded(_ => called = true, loop);

        Assert.True(called);
        Assert.True(loop.Completion.IsCompleted);
        Assert.Equal(1, owner.Ends);
    }
}
