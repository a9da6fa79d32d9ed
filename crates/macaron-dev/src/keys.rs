//! Keys for tests of signatures: never a secret of anything real.
//!
//! An RSA 2048 key pair, PKCS#8 and SPKI PEM (`openssl genpkey -algorithm
//! RSA; openssl pkey -pubout`), for the tests that sign and verify RS256
//! tokens (macaron-auth's, the runtime's JWT attack suite): one pair, so
//! that the suites cannot drift apart.
//!
//! ```
//! assert!(macaron_dev::keys::RSA_PRIVATE.starts_with("-----BEGIN PRIVATE KEY-----"));
//! assert!(macaron_dev::keys::RSA_PUBLIC.starts_with("-----BEGIN PUBLIC KEY-----"));
//! ```

/// The private key (PKCS#8 PEM).
pub const RSA_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDsgKXKozpmjTdV
nRNGpcTypbPfgg7BFZdaGwTOrqg9QEMQjIW0bWgp9IM0ydgi78bLHmfUh0o5Swpu
luibBteAfoRTGhbgUOfDky9dEWNYaFw3hKOqO+B3vg1kxwBE9NtJHSfentd6IqRo
b1A8xsErQ7lGFw3yQ597xTK6KB2f6ey9OkeTbqANJuExvKhSvCsz/WjqeSgaxpkM
v5evkDYYfbcMbkj637NAGT2eY6aEeoig4XjZ4pOKTcyLcgBhG6i2puvUiu0hqs3I
NGkmywzrzDEsDfG791RywjvD94KaJiHDxNEGKYEAwk0DOPX8k2BjGtFLS7yO3v/Q
L0+hLuR/AgMBAAECggEAbccvbdaDkruk/j/5hRcISsuAqVRQ7e5MQV5+RkPLQxcz
qhhYLc6FBciCKLwyb9EV2Q3Fi2C7IsoCzx+MW/16haH0YTCggsH7Oox09UHPd+eF
Op3+bFP71wkoZWl75gY0TYVTjuHzSjWPVAyrVXK6ko8OjorABf6+pjB8Ye2iBqol
rtUxM+Tct8S3/BWUjssiB3GPkcMjfIp1rZVIbPU6uAl3q2nDvyIP0ER4Yyo/E///
4XdY9vNt1zrfE2+rNLRBSRuywdjK2sNAYfo8P4omGjSkGGs/uGkocI+o8QZNAXIE
teroqOrX6nDFABnxkZkgbItkzcPMFNKpr9uwYFXGAQKBgQD5TaAnahEIKqRdcRjw
BHOY8vPBgnoujwiGRbu1S1E/EHIwLzA1gsrcyLyRicWuafraBdjBdOPeGN/jN4Qs
I0saRP7/aDV2rPpJMsvkeSUCAevi24bnZeSmeQ3m46lFrumQOj/4SuVl89Z63g/A
5/F2hClW2OSd1kAr5il6ILAqAQKBgQDy2v72bL86QifD6s3iTcXStPAQClKazukH
Hhbj8TPFYfY2j73aktTPT3dtdef3vVTaXailorOcl1SWRQpHv2/jma8PlzWzjiHt
MGXCpZd8rqryGBl4knZ2RJm2tBKFri26Bz90+zXTgCOF08JtzMWchP0WrmY/AGW3
fKDNG34OfwKBgQCpbTrpbmkSzsATjPgwriXNjVdhbIYSvDxD3IJcDEqz/D5ORtOR
mki50WZt1l7VUMsdfpm3p/PwjaEibylRQc8ZlEhkVXL4K0iRlIcCx94BxkKEU0MU
YagKBv0OrCvu4pdy4FN3L5dFOXjK2b2FEVyFef4KOq7sIZ5M90e66xouAQKBgQDZ
RZZ/z3ESZSeAf2ztP5lx1tFD+IhI2j7fUEs4aY5g1DDcRaOcjmr4gmcdtjPvkCL/
LnX4omTA/x79Rg1ZfWtUHCXj8+tmlg3CT99q0o2CTh7Ac1EubxKu4tcG/3nmwZtF
aMCcHzfb3jNpwrebVm2hh9WKWkM9sFRQYZ7XgfY4bwKBgQCRtNOy84wPpDo3P8s5
i/7/6b1H3LZ8PUMEi9vXlUtlfoARAT1XlwoF+OQ9lvFHPMKC8HvhNcNBphDbUEjt
Vx8tnJmX8rISZbWK+CJgNQ178VKvxHsgHzl75/2kffZUaZ/TYKfGxSPrfpK3vj2b
Cfxkd5qCoBSwc9FdI1Wa39mv/Q==
-----END PRIVATE KEY-----";

/// Its public key (SPKI PEM).
pub const RSA_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA7IClyqM6Zo03VZ0TRqXE
8qWz34IOwRWXWhsEzq6oPUBDEIyFtG1oKfSDNMnYIu/Gyx5n1IdKOUsKbpbomwbX
gH6EUxoW4FDnw5MvXRFjWGhcN4Sjqjvgd74NZMcARPTbSR0n3p7XeiKkaG9QPMbB
K0O5RhcN8kOfe8Uyuigdn+nsvTpHk26gDSbhMbyoUrwrM/1o6nkoGsaZDL+Xr5A2
GH23DG5I+t+zQBk9nmOmhHqIoOF42eKTik3Mi3IAYRuotqbr1IrtIarNyDRpJssM
68wxLA3xu/dUcsI7w/eCmiYhw8TRBimBAMJNAzj1/JNgYxrRS0u8jt7/0C9PoS7k
fwIDAQAB
-----END PUBLIC KEY-----";
