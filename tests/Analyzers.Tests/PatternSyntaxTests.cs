using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Channels.Analyzers.Tests;

/// <summary>IDEs colour and check channel patterns as regular expressions.</summary>
public sealed class PatternSyntaxTests
{
    [Theory]
    [InlineData(typeof(ChannelPatternAttribute))]
    [InlineData(typeof(OnMessageAttribute))]
    [InlineData(typeof(OnSubscribeAttribute))]
    [InlineData(typeof(OnUnsubscribeAttribute))]
    [InlineData(typeof(OnErrorAttribute))]
    [InlineData(typeof(OnDisconnectAttribute))]
    [InlineData(typeof(OnFinishAttribute))]
    public void Every_pattern_parameter_is_marked_as_a_regular_expression(Type attribute)
    {
        var patterns = attribute.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .SelectMany(constructor => constructor.GetParameters())
            .Where(parameter => parameter.Name == "pattern")
            .ToList();

        Assert.NotEmpty(patterns);
        Assert.All(patterns, parameter => Assert.Equal(StringSyntaxAttribute.Regex, parameter.GetCustomAttribute<StringSyntaxAttribute>()?.Syntax));
    }
}
