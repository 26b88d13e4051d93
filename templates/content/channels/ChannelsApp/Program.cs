using Channels;
using ChannelsApp;

var builder = WebApplication.CreateSlimBuilder(args);
#if (redis)
var channels = builder.Services.AddChannels(options => options.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, AppJson.Default));

// Instances that use the same Redis share their channels; without ConnectionStrings:Redis, in memory.
if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
{
    channels.AddRedisBackplane(redis);
}
#else
builder.Services.AddChannels(options => options.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, AppJson.Default));
#endif

var app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapChannels();
app.Run();
