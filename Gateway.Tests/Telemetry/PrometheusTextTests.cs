using System.Text;
using CompositeGateway.Telemetry;

namespace CompositeGateway.Tests.Telemetry;

public sealed class PrometheusTextTests
{
    [TestCase(1.0, "1")]
    [TestCase(0.005, "0.005")]
    [TestCase(-2.5, "-2.5")]
    [TestCase(1e21, "1E+21")]
    [TestCase(double.PositiveInfinity, "+Inf")]
    [TestCase(double.NegativeInfinity, "-Inf")]
    [TestCase(double.NaN, "NaN")]
    public void FormatValue_AnyDouble_InvariantAndGoParsable(double value, string expected) =>
        Assert.That(PrometheusText.FormatValue(value), Is.EqualTo(expected));

    [TestCase("gateway_up", "gateway_up")]
    [TestCase("kestrel.active-connections", "kestrel_active_connections")]
    [TestCase("9lives", "_9lives")]
    [TestCase("ns:metric", "ns:metric")]
    [TestCase("", "_")]
    public void SanitizeMetricName_Input_MatchesPrometheusGrammar(string name, string expected) =>
        Assert.That(PrometheusText.SanitizeMetricName(name), Is.EqualTo(expected));

    [TestCase("server.port", "server_port")]
    [TestCase("ns:label", "ns_label")]
    [TestCase("1st", "_1st")]
    public void SanitizeLabelName_Input_MatchesPrometheusGrammar(string name, string expected) =>
        Assert.That(PrometheusText.SanitizeLabelName(name), Is.EqualTo(expected));

    [Test]
    public void AppendLabelValue_SpecialCharacters_Escaped()
    {
        var builder = new StringBuilder();
        PrometheusText.AppendLabelValue(builder, "a\\b\"c\nd\te");
        Assert.That(builder.ToString(), Is.EqualTo("a\\\\b\\\"c\\nd\te"));
    }

    [Test]
    public void AppendHelp_SpecialCharacters_OnlyBackslashAndNewlineEscaped()
    {
        var builder = new StringBuilder();
        PrometheusText.AppendHelp(builder, "a\\b\"c\nd");
        Assert.That(builder.ToString(), Is.EqualTo("a\\\\b\"c\\nd"));
    }

    [Test]
    public void FormatLabelValue_BoxedValues_InvariantText() =>
        Assert.Multiple(() =>
        {
            Assert.That(PrometheusText.FormatLabelValue(200), Is.EqualTo("200"));
            Assert.That(PrometheusText.FormatLabelValue(true), Is.EqualTo("true"));
            Assert.That(PrometheusText.FormatLabelValue(1.5), Is.EqualTo("1.5"));
            Assert.That(PrometheusText.FormatLabelValue(null), Is.EqualTo(""));
        });
}
