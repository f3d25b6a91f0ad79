using Manta.Protocol.Topics;

namespace Manta.Protocol.Tests.Topics;

public class MqttTopicTests
{
    [Theory]
    [InlineData("a", true)]
    [InlineData("a/b/c", true)]
    [InlineData("/", true)]
    [InlineData("$SYS/x", true)]
    [InlineData(" ", true)]
    [InlineData("", false)]
    [InlineData("a/+", false)]
    [InlineData("#", false)]
    [InlineData("a\0b", false)]
    public void Topic_names_MQTT_4_7_3_1(string topic, bool valid)
        => Assert.Equal(valid, MqttTopic.IsValidTopicName(topic));

    [Theory]
    [InlineData("sport/tennis/player1/#", true)]
    [InlineData("sport/#", true)]
    [InlineData("#", true)]
    [InlineData("+", true)]
    [InlineData("+/tennis/#", true)]
    [InlineData("sport/+/player1", true)]
    [InlineData("/+", true)]
    [InlineData("a//b", true)]
    [InlineData("$share/group/a/+", true)]
    [InlineData("$share/group/#", true)]
    [InlineData("$share", true)]
    [InlineData("", false)]
    [InlineData("sport/tennis#", false)]
    [InlineData("sport/tennis/#/ranking", false)]
    [InlineData("sport+", false)]
    [InlineData("#/", false)]
    [InlineData("a\0", false)]
    [InlineData("$share/group", false)]
    [InlineData("$share//a", false)]
    [InlineData("$share/gr+up/a", false)]
    [InlineData("$share/g#/a", false)]
    [InlineData("$share/group/", false)]
    [InlineData("$share/group/a#", false)]
    public void Topic_filters_MQTT_4_7_1(string filter, bool valid)
        => Assert.Equal(valid, MqttTopic.IsValidTopicFilter(filter));

    [Theory]
    // MQTT 3.1.1 section 4.7.1.2 and 4.7.1.3 examples.
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/ranking", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true)]
    [InlineData("sport/#", "sport", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1/ranking", false)]
    [InlineData("sport/+", "sport", false)]
    [InlineData("sport/+", "sport/", true)]
    [InlineData("+/+", "/finance", true)]
    [InlineData("/+", "/finance", true)]
    [InlineData("+", "/finance", false)]
    [InlineData("#", "a/b/c", true)]
    [InlineData("#", "/", true)]
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/b", "a/B", false)]
    [InlineData("a/b", "a/b/", false)]
    // MQTT 4.7.2: wildcards at the first level do not match '$' topics.
    [InlineData("#", "$SYS/x", false)]
    [InlineData("+/monitor/Clients", "$SYS/monitor/Clients", false)]
    [InlineData("$SYS/#", "$SYS/monitor/Clients", true)]
    [InlineData("$SYS/monitor/+", "$SYS/monitor/Clients", true)]
    [InlineData("a/#", "a/$x", true)]
    public void Matches_the_spec_examples(string filter, string topic, bool expected)
        => Assert.Equal(expected, MqttTopic.Matches(filter, topic));

    [Fact]
    public void Shared_subscription_is_split()
    {
        Assert.True(MqttTopic.TryParseSharedSubscription("$share/g1/a/+/#", out var group, out var filter));
        Assert.Equal("g1", group);
        Assert.Equal("a/+/#", filter);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("$share")]
    [InlineData("$share/")]
    [InlineData("$share/g")]
    [InlineData("$share//a")]
    [InlineData("$SHARE/g/a")]
    public void Non_shared_filter_is_returned_unchanged(string input)
    {
        Assert.False(MqttTopic.TryParseSharedSubscription(input, out var group, out var filter));
        Assert.Null(group);
        Assert.Same(input, filter);
    }

    [Fact]
    public void Wildcards_are_detected()
    {
        Assert.True(MqttTopic.HasWildcards("a/+"));
        Assert.True(MqttTopic.HasWildcards("#"));
        Assert.False(MqttTopic.HasWildcards("a/b"));
    }
}
