using Meshwork.Platform.Registry;

namespace Meshwork.Platform.Tests.Registry;

public sealed class DatasetSubjectsTests
{
    private static bool IsProduct(string key) => key is "customers.profiles" or "sales.orders";

    [Theory]
    [InlineData("customers.profiles.profiles_v1-value")]
    [InlineData("customers.profiles.profiles_v2-value")]
    [InlineData("customers.profiles.profiles_v1.json-value")]
    [InlineData("customers.profiles.profiles_v12-key")]
    [InlineData("customers.profiles.anything_else_v3-value")]
    public void Reserved_DatasetSubjectFormOfAProduct_IsThePlatformsWhateverTheVersion(string subject)
    {
        var reserved = DatasetSubjects.Reserved(subject, IsProduct);

        Assert.Equal(new PlatformSubject("customers.profiles", subject, IsCanonical: true), reserved);
    }

    [Theory]
    [InlineData("Customers.profiles.profiles_v1-VALUE", "customers.profiles.profiles_v1-value")]
    [InlineData("customers.profiles.Profiles_V2.JSON-value", "customers.profiles.profiles_v2.json-value")]
    public void Reserved_LookAlikeByCase_NamesThePlatformSubject(string subject, string canonical)
    {
        var reserved = DatasetSubjects.Reserved(subject, IsProduct);

        Assert.Equal(new PlatformSubject("customers.profiles", canonical, IsCanonical: false), reserved);
    }

    [Theory]
    [InlineData("marketing.campaigns.campaigns_v1-value")] // no such product
    [InlineData("customers.profiles-value")]
    [InlineData("customers.profiles.profiles-value")] // no version
    [InlineData("customers.profiles.profiles_v1")] // neither -value nor -key
    [InlineData("customers.profiles.profiles_v1.avro-value")]
    [InlineData("orders-value")]
    public void Reserved_OtherSubject_IsNull(string subject) => Assert.Null(DatasetSubjects.Reserved(subject, IsProduct));

    [Fact]
    public void PlatformNames_AreReserved()
    {
        Assert.NotNull(DatasetSubjects.Reserved(DatasetSubjects.Avro("sales.orders.orders_v1"), IsProduct));
        Assert.NotNull(DatasetSubjects.Reserved(DatasetSubjects.Json("sales.orders.orders_v1"), IsProduct));
    }
}
