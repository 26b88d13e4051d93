using Channels.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Handlers.Tests;

/// <summary>Presence through generated handlers and the test kit: TrackAsync in [OnSubscribe], the state, the diffs.</summary>
public sealed class PresenceKitTests
{
    private static Task<ChannelsTestHost> StartAsync() => ChannelsTestHost.StartAsync(builder =>
    {
        builder.Services.AddSingleton(new EventJournal());
        builder.Services.AddScoped<ScopedCounter>();
        builder.Services.AddChannels(o =>
        {
            o.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, HandlersJson.Default);
            o.EventRateLimits["votes"] = new EventRateLimit { PermitsPerSecond = 1, Burst = 1 };
        });
    });

    [Fact]
    public async Task A_socket_tracked_in_OnSubscribe_is_in_the_state_and_the_others_see_it_come_and_go()
    {
        await using var host = await StartAsync();
        await using var ann = await host.ConnectAsync();
        await using var bob = await host.ConnectAsync();

        Assert.True((await ann.SubscribeAsync("here-1")).Ok);
        Assert.True((await bob.SubscribeAsync("here-1")).Ok);
        var joined = await ann.NextAsync("presence");
        var state = await bob.PresenceAsync("here-1");
        Assert.True(await bob.EmitWithAckAsync("leave-presence", "here-1") is { ValueKind: System.Text.Json.JsonValueKind.True });
        var left = await ann.NextAsync("presence");
        var refused = await Assert.ThrowsAsync<ChannelsTestException>(() => ann.PresenceAsync("here-2"));

        Assert.Equal("here-1", joined.Arguments[0].GetString());
        Assert.Equal(bob.Id, joined.Arguments[1].GetProperty("joins").GetProperty(bob.Id).GetProperty("name").GetString());
        Assert.Equal(new[] { ann.Id, bob.Id }.Order(StringComparer.Ordinal), state.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("here", state[ann.Id].GetProperty("text").GetString());
        Assert.True(left.Arguments[1].GetProperty("leaves").TryGetProperty(bob.Id, out _));
        Assert.Contains("not subscribed to channel 'here-2'", refused.Message, StringComparison.Ordinal);
        Assert.Equal([ann.Id], (await host.Services.GetRequiredService<IChannelPublisher>().Channel("here-1").PresenceAsync()).Keys);
    }
}
