using System.Text;
using Channels.Protocol;
using Channels.Transport;

namespace Channels.Tests.Transport;

/// <summary>
/// <see cref="OutboundQueue"/>: many writers, one waiting reader woken exactly when there is something to
/// read, completion, cancellation of a polling reader's wait, and storage given back after a burst.
/// </summary>
public sealed class OutboundQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static EngineFrame Frame(string text) => new(Encoding.ASCII.GetBytes(text));

    private static string Text(EngineFrame frame) => Encoding.ASCII.GetString(frame.Text.Span);

    [Fact]
    public async Task A_waiting_reader_is_woken_by_the_next_frame()
    {
        var queue = new OutboundQueue(int.MaxValue, long.MaxValue);
        var wait = queue.WaitToReadAsync();
        Assert.False(wait.IsCompleted);

        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Frame("a")));

        Assert.True(await wait.AsTask().WaitAsync(Timeout));
        Assert.True(queue.TryDequeue(out var frame));
        Assert.Equal("a", Text(frame));
        Assert.False(queue.TryDequeue(out _));
    }

    [Fact]
    public async Task Completion_wakes_the_reader_drains_then_ends()
    {
        var queue = new OutboundQueue(int.MaxValue, long.MaxValue);
        var wait = queue.WaitToReadAsync();
        queue.TryEnqueue(Frame("last"));
        queue.Complete();

        Assert.True(await wait.AsTask().WaitAsync(Timeout));
        Assert.Equal(EnqueueResult.Completed, queue.TryEnqueue(Frame("too late")));
        Assert.False(queue.IsDrained);
        Assert.True(queue.TryDequeue(out var frame));
        Assert.Equal("last", Text(frame));
        Assert.True(queue.IsDrained);
        Assert.False(await queue.WaitToReadAsync());
    }

    [Fact]
    public async Task Completion_of_an_empty_queue_wakes_a_waiting_reader_to_find_the_end()
    {
        var queue = new OutboundQueue(int.MaxValue, long.MaxValue);
        var wait = queue.WaitToReadAsync();

        queue.Complete();

        await wait.AsTask().WaitAsync(Timeout);
        Assert.False(await queue.WaitToReadAsync());
    }

    [Fact]
    public async Task A_cancelled_poll_wait_throws_and_leaves_the_queue_usable()
    {
        var queue = new OutboundQueue(int.MaxValue, long.MaxValue);
        using var poll = new CancellationTokenSource();
        var wait = queue.WaitToReadAsync(poll.Token);

        poll.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.AsTask().WaitAsync(Timeout));
        var next = queue.WaitToReadAsync();
        queue.TryEnqueue(Frame("after"));
        Assert.True(await next.AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_second_reader_waiting_wakes_the_first_to_look_again()
    {
        var queue = new OutboundQueue(int.MaxValue, long.MaxValue);
        using var poll = new CancellationTokenSource();
        var first = queue.WaitToReadAsync(poll.Token);

        var second = queue.WaitToReadAsync();

        Assert.True(await first.AsTask().WaitAsync(Timeout));
        Assert.False(second.IsCompleted);
        queue.TryEnqueue(Frame("x"));
        Assert.True(await second.AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public void A_queue_drained_after_a_burst_gives_its_storage_back()
    {
        var queue = new OutboundQueue(int.MaxValue, long.MaxValue);
        for (var i = 0; i < 1000; i++)
        {
            queue.TryEnqueue(Frame("x"));
        }

        Assert.True(queue.Capacity >= 1000);
        while (queue.TryDequeue(out _))
        {
        }

        Assert.Equal(0, queue.Capacity);
        queue.TryEnqueue(Frame("y"));
        Assert.True(queue.TryDequeue(out _));
        Assert.True(queue.Capacity <= 4);
    }

    [Fact]
    public async Task Many_writers_one_reader_every_frame_arrives_once_in_each_writers_order()
    {
        const int Writers = 4;
        const int PerWriter = 20_000;
        var queue = new OutboundQueue(int.MaxValue, long.MaxValue);
        var received = new List<string>();
        var reader = Task.Run(async () =>
        {
            while (await queue.WaitToReadAsync())
            {
                while (queue.TryDequeue(out var frame))
                {
                    received.Add(Text(frame));
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Frame($"{w}:{i}")));
            }
        })));
        queue.Complete();
        await reader.WaitAsync(Timeout);

        Assert.Equal(Writers * PerWriter, received.Count);
        for (var w = 0; w < Writers; w++)
        {
            var prefix = $"{w}:";
            var mine = received.Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).Select(r => int.Parse(r[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(0, PerWriter), mine);
        }
    }

    [Fact]
    public void The_bound_refuses_data_frames_past_the_most_frames_but_never_control_frames()
    {
        var queue = new OutboundQueue(maxFrames: 2, maxBytes: long.MaxValue);
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Frame("a")));
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Frame("b")));

        Assert.Equal(EnqueueResult.Full, queue.TryEnqueue(Frame("c")));
        Assert.True(queue.TryEnqueueControl(Frame("2")));
        Assert.Equal((3, 3L), queue.Queued);

        Assert.True(queue.TryDequeue(out _));
        Assert.True(queue.TryDequeue(out _));
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Frame("d")));
    }

    [Fact]
    public void The_bound_refuses_a_frame_that_would_pass_the_most_bytes_and_counts_bytes_out_again()
    {
        var queue = new OutboundQueue(maxFrames: int.MaxValue, maxBytes: 10);
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Frame("123456")));
        Assert.Equal(EnqueueResult.Full, queue.TryEnqueue(Frame("12345")));
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Frame("1234")));
        Assert.Equal((2, 10L), queue.Queued);

        Assert.True(queue.TryDequeue(out _));
        Assert.Equal((1, 4L), queue.Queued);
        Assert.Equal(EnqueueResult.Queued, queue.TryEnqueue(Frame("12345")));
    }
}
