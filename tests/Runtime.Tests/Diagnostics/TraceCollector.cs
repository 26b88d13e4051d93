using System.Diagnostics;
using Channels.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Channels.Tests.Diagnostics;

/// <summary>
/// The OpenTelemetry SDK as an application wires it, sampling everything from <c>Channels.SDK</c> (and
/// <see cref="TestSourceName"/>) into the in-memory exporter, with a wait for the activity a test expects.
/// Other tests of the process run at the same time, so a test looks for its own activities (by its unique
/// event, handler or trace id), never at all of them.
/// </summary>
public sealed class TraceCollector : IDisposable
{
    /// <summary>A source tests start their own activities from (a publishing request, say).</summary>
    public const string TestSourceName = "Channels.Tests";

    public static readonly ActivitySource TestSource = new(TestSourceName);

    private readonly Exported _exported = new();
    private readonly TracerProvider _provider;

    public TraceCollector()
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(ChannelsTelemetry.ActivitySourceName, TestSourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(_exported)
            .Build()!;
    }

    /// <summary>The activities exported so far that match.</summary>
    public Activity[] Where(Func<Activity, bool> match) => _exported.Where(match);

    /// <summary>The first exported activity that matches, waiting for it up to 10 seconds.</summary>
    public async Task<Activity> WaitAsync(Func<Activity, bool> match, string what)
    {
        try
        {
            return await _exported.WaitAsync(match).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No activity {what} in 10 s; exported: {string.Join(", ", Where(_ => true).Select(a => a.DisplayName))}");
        }
    }

    public void Dispose() => _provider.Dispose();

    /// <summary>What the in-memory exporter exports into: a list that other threads may read, and that wakes waiters.</summary>
    private sealed class Exported : System.Collections.ObjectModel.Collection<Activity>
    {
        private readonly Lock _lock = new();
        private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Done)> _waiters = [];

        public Activity[] Where(Func<Activity, bool> match)
        {
            lock (_lock)
            {
                return [.. Items.Where(match)];
            }
        }

        public Task<Activity> WaitAsync(Func<Activity, bool> match)
        {
            lock (_lock)
            {
                if (Items.FirstOrDefault(match) is { } found)
                {
                    return Task.FromResult(found);
                }

                var done = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((match, done));
                return done.Task;
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_lock)
            {
                base.InsertItem(index, item);
                foreach (var waiter in _waiters.Where(w => w.Match(item)).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Done.TrySetResult(item);
                }
            }
        }
    }
}
