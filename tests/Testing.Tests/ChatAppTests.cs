using Channels.Samples.Chat;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Channels.Testing.Tests;

/// <summary>The chat sample, the whole app, tested in memory with a few lines per behaviour.</summary>
public sealed class ChatAppTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private Task<ChannelsTestClient> ConnectAsync(string name) =>
        ChannelsTestClient.ConnectAsync(factory.Server, new ChannelsTestClientOptions { Auth = new { name } });

    [Fact]
    public async Task A_line_said_in_a_room_reaches_everyone_in_it_with_the_speakers_name()
    {
        await using var ada = await ConnectAsync("ada");
        await using var bob = await ConnectAsync("bob");
        await ada.SubscribeAsync("room-tea");
        await bob.SubscribeAsync("room-tea");

        await bob.PublishAsync("room-tea", "hello");

        Assert.Equal(new ChatLine("bob", "joins", "join"), (await ada.NextMessageAsync("room-tea")).Get<ChatLine>());
        Assert.Equal(new ChatLine("bob", "hello"), (await ada.NextMessageAsync("room-tea")).Get<ChatLine>());
        Assert.Equal(new ChatLine("bob", "hello"), (await bob.NextMessageAsync("room-tea")).Get<ChatLine>());
    }

    [Fact]
    public async Task A_nickname_in_use_in_the_room_is_refused_with_the_reason()
    {
        await using var ada = await ConnectAsync("ada");
        await using var other = await ConnectAsync("ada");
        await ada.SubscribeAsync("room-names");

        var refused = await other.SubscribeAsync("room-names");
        var here = await ada.PresenceAsync("room-names");

        Assert.Equal(new ChannelAck(false, "The nickname 'ada' is in use in this room."), refused);
        Assert.Equal(["ada"], here.Values.Select(m => m.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Leaving_is_announced_to_the_room()
    {
        await using var ada = await ConnectAsync("ada");
        var bob = await ConnectAsync("bob");
        await ada.SubscribeAsync("room-bye");
        await bob.SubscribeAsync("room-bye");
        await ada.NextMessageAsync("room-bye");

        await bob.DisposeAsync();

        Assert.Equal(new ChatLine("bob", "leaves", "leave"), (await ada.NextMessageAsync("room-bye")).Get<ChatLine>());
    }
}
