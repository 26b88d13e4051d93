using Microsoft.Extensions.DependencyInjection;

namespace Channels;

/// <summary>What <c>AddChannels()</c> returns: where extensions such as a backplane are added.</summary>
public interface IChannelsBuilder
{
    /// <summary>The app's services.</summary>
    IServiceCollection Services { get; }
}

internal sealed class ChannelsBuilder(IServiceCollection services) : IChannelsBuilder
{
    public IServiceCollection Services { get; } = services;
}
