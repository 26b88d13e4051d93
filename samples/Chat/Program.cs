// The chat demo: rooms are channels named "room-…". Open http://localhost:5000, pick a room and a
// nickname, and chat; POST /system {"room":"room-lobby","text":"…"} sends a system message.
// The handlers are in ChatHandlers.cs; the source generator finds them at build time.
using System.Text.Json;
using Channels;
using Channels.Samples.Chat;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddSingleton<ChatRooms>();
builder.Services.AddChannels(o => o.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, ChatJson.Default));

var app = builder.Build();
app.MapChannels();

var page = new StreamReader(typeof(ChatHandlers).Assembly.GetManifestResourceStream("index.html")!).ReadToEnd();
app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
app.MapGet("/rooms", (ChatRooms rooms) => Results.Json(rooms.Snapshot(), ChatJson.Default.DictionaryStringStringArray));
app.MapPost("/system", async (HttpRequest request, IChannelPublisher publisher) =>
{
    var line = await JsonSerializer.DeserializeAsync(request.Body, ChatJson.Default.SystemLine);
    if (line is null || string.IsNullOrWhiteSpace(line.Text))
    {
        return Results.BadRequest();
    }

    var message = new ChatLine("system", line.Text, "system");
    if (line.Room is { Length: > 0 } room)
    {
        await publisher.BroadcastChannelAsync(message, room);
    }
    else
    {
        await publisher.BroadcastAsync(message);
    }

    return Results.Accepted();
});

app.Run();
