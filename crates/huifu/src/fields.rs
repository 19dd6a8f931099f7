//! What `cnpay huifu <operation> --help` says about each request field, and a working
//! `--data` example, for all 25 operations ([`crate::OPERATIONS`]): `<NAME>_FIELDS` and
//! `<NAME>_EXAMPLE`, named after the operation (`agent-merchant-opening` →
//! `AGENT_MERCHANT_OPENING_FIELDS`).
//!
//! Fields are listed under their wire names in the spec's order. Left out: `mer_cust_id` (from
//! the [`crate::Config`]; a different one in `--data` is refused) and the Prism authentication
//! parameters (`client_id`, `client_secret`, `sign_method`, `sign_time`, `sign`).
//!
//! The spec's tables give every field the type `string` (`unsign_type` `int`) and no lengths
//! and no required marks: a field is *required* here when the request type needs it,
//! *required when* where the spec (or the client's check) names the case. The formats state
//! the spec's rules and the client's checks (which refuse a request before it is sent):
//! - amounts are yuan strings, at most 2 decimals, sent as `###.00`; a JSON number is refused;
//! - `order_id`: at most 32 ASCII letters, digits, `_` or `-` (the client's check; the spec
//!   only asks that `order_id` + `order_date` be unique);
//! - dates are `yyyyMMdd`;
//! - `bg_ret_url` must be a public address (必须是外网地址) without Chinese characters;
//! - mobiles are 11 digits starting with `1`; resident ID numbers 18 characters with their
//!   check digit; bank card numbers 8 to 32 digits.
//!
//! The upload operations take their files (`file`, `file1`, `file2`) as files
//! (`--file file1=front.jpg`), never in `--data`: they are documented as fields required
//! "as a file".

// The Operation impls use these once they are wired (`const FIELDS = …_FIELDS;`).
#![allow(dead_code)]

use pay_core::operation::FieldDoc;

// ---- formats shared by several operations ----

const ORDER_ID: &str =
    "string, at most 32 characters: ASCII letters, digits, _ or -; unique with order_date";
/// The id of an earlier order (`old_order_id`, `ori_order_id`, `org_order_id`).
const ORIG_ORDER_ID: &str = "string, at most 32 characters: ASCII letters, digits, _ or -";
const ORDER_DATE: &str = "date yyyyMMdd";
const DATE: &str = "date yyyyMMdd, e.g. 19701212";
const DATE_OR_PERMANENT: &str = "date yyyyMMdd (e.g. 19701212), or 永久 (permanent)";
const YUAN: &str = "yuan string, at most 2 decimals (sent as ###.00), > 0; not a JSON number";
const CUST_ID: &str = "string, non-empty: a Huifu customer id (由汇付生成)";
const BG_RET_URL: &str = "http(s) URL, ASCII only (no Chinese characters), a public address \
                          (必须是外网地址: no loopback or private host, unless the config allows \
                          private callback URLs for tests)";
const OPT_BG_RET_URL: &str = "when given: http(s) URL, ASCII only, a public address (no \
                              loopback or private host, unless the config allows private \
                              callback URLs for tests)";
const RET_URL: &str = "http(s) URL, ASCII only";
const MER_PRIV: &str = "string, free text returned unchanged";
const TEXT: &str = "string, non-empty";
const OPT_TEXT: &str = "string";
const MOBILE: &str = "11-digit mainland mobile number starting with 1";
const RESIDENT_ID: &str = "18-character mainland resident ID number, check digit verified";
const CARD_NO: &str = "8 to 32 digits";
const EMAIL: &str = "email address (name@domain)";
const CERT_TYPE: &str = "01020100 ID card (身份证, default), 01020101 passport (护照), 01020102 \
                         military officer's card (军官证), 01020103 soldier's card (士兵证), \
                         01020104 home return permit (回乡证), 01020105 police officer's card \
                         (警官证), 01020106 Taiwan compatriot permit (台胞证), 01020107 other (其他)";
const CERT_ID: &str = "string, non-empty; with 01020100 (ID card) an 18-character resident ID \
                       number, check digit verified";
const LICENSE_TYPE: &str =
    "01030100 ordinary licence (普通企业), 01030101 three-in-one licence (三证合一)";
const OPERATE_TYPE: &str = "00090000 new (新增), 00090001 modify (修改)";
const STOCKHOLDERS: &str = "JSON array (or its JSON text) of {\"name\", \"certType\" (a \
                            legal_cert_type code), \"certId\"}, at least one; an ID card's \
                            certId is checked as a resident ID";
const SMS_CODE: &str = "string: the SMS code (send-sms-code)";
const ATTACH_NOS: &str = "attachment numbers separated by commas (abc123 or abc123,abc1234), \
                          none empty";

/// `div_detail` without a count limit (app pay, quick pay).
const DIV_DETAIL: &str = "JSON array (or its JSON text) of {\"divAmt\": yuan string > 0, \
                          \"divAcctId\", \"divCustId\"}, at least one; the divAmt add up to at \
                          most trans_amt";
/// `div_detail` with the spec's limit of 7 (fz, refund).
const DIV_DETAIL_MAX_7: &str = "JSON array (or its JSON text) of 1 to 7 {\"divAmt\": yuan \
                                string > 0, \"divAcctId\", \"divCustId\"}; the divAmt add up to \
                                at most trans_amt";

const FILE_WHEN: &str = "always: given as a file (--file), not in --data";

// ---- agent-merchant-opening: POST /api/hfpay/v1/merchant/agent_merchant_opening ----

pub(crate) const AGENT_MERCHANT_OPENING_FIELDS: &[FieldDoc] = &[
    FieldDoc::required("mer_name", TEXT, "商户全称 (the merchant's full name)"),
    FieldDoc::required(
        "mer_short_name",
        TEXT,
        "商户简称 (the merchant's short name)",
    ),
    FieldDoc::optional(
        "mer_en_name",
        OPT_TEXT,
        "商户英文名,简称的首字母拼音缩写 (English name: the pinyin initials of the short name)",
    ),
    FieldDoc::required("reg_fund", YUAN, "注册资本(元) (registered capital, yuan)"),
    FieldDoc::optional(
        "paid_in_fund",
        "yuan string, at most 2 decimals (sent as ###.00), not negative; not a JSON number",
        "实缴资本(元) (paid-in capital, yuan)",
    ),
    FieldDoc::optional("mer_website", OPT_TEXT, "网站地址 (website address)"),
    FieldDoc::optional("per_icp_code", OPT_TEXT, "ICP备案号 (ICP licence number)"),
    FieldDoc::required("est_date", ORDER_DATE, "成立时间 (date of establishment)"),
    FieldDoc::required("mer_prov", TEXT, "商户所在省份 (the merchant's province)"),
    FieldDoc::required("mer_area", TEXT, "商户所在地区 (the merchant's area)"),
    FieldDoc::required("mer_addr", TEXT, "商户经营地址 (business address)"),
    FieldDoc::required("mer_reg_addr", TEXT, "商户注册地址 (registered address)"),
    FieldDoc::required(
        "license_type",
        LICENSE_TYPE,
        "证照类型: “普通企业” 01030100, “三证合一” 01030101 (licence type)",
    ),
    FieldDoc::required_when(
        "business_code",
        "license_type is 01030100",
        TEXT,
        "营业执照注册号,商户的营业执照注册号 (证照类型为:普通企业 必填) (business licence number)",
    ),
    FieldDoc::required_when(
        "institution_code",
        "license_type is 01030100",
        TEXT,
        "组织机构代码,商户的组织机构代码证 (证照类型为:普通企业 必填) (organisation code)",
    ),
    FieldDoc::required_when(
        "tax_code",
        "license_type is 01030100",
        TEXT,
        "税务登记号,商户的税务登记号 (证照类型为:普通企业必填) (tax registration number)",
    ),
    FieldDoc::required_when(
        "social_credit_code",
        "license_type is 01030101",
        TEXT,
        "统一社会信用代码,商户的统一社会信用代码 (证照类型为:三证合一 必填) (unified social \
         credit code)",
    ),
    FieldDoc::required(
        "license_start_date",
        DATE,
        "证照有效起始日期,精确到年月日,如19701212 (licence valid from)",
    ),
    FieldDoc::required(
        "license_end_date",
        DATE_OR_PERMANENT,
        "证照有效结束日期,精确到年月日,如19701212,支持“永久” (licence valid until, or 永久)",
    ),
    FieldDoc::required("business_scope", TEXT, "经营范围 (business scope)"),
    FieldDoc::required(
        "stockholders",
        STOCKHOLDERS,
        "股东,数据格式:[{“name”:”关羽”,”certType”:”01”,”certId”:”330204199008187881”}] \
         (shareholders; the spec's example shows certType 01, the codes are legal_cert_type's)",
    ),
    FieldDoc::required(
        "legal_name",
        TEXT,
        "法人姓名 (the legal representative's name)",
    ),
    FieldDoc::required(
        "legal_cert_type",
        CERT_TYPE,
        "法人证件类型 (the legal representative's certificate type)",
    ),
    FieldDoc::required(
        "legal_cert_id",
        CERT_ID,
        "法人证件号,法人的证件号码,与证件类型对应 (certificate number, matching its type)",
    ),
    FieldDoc::required(
        "legal_id_start_date",
        DATE,
        "法人证件起始日期,精确到年月日,如19701212 (certificate valid from)",
    ),
    FieldDoc::required(
        "legal_id_end_date",
        DATE_OR_PERMANENT,
        "法人证件结束日期,精确到年月日,如19701212,支持“永久” (certificate valid until, or 永久)",
    ),
    FieldDoc::required(
        "legal_mobile",
        MOBILE,
        "法人的手机号码 (the legal representative's mobile)",
    ),
    FieldDoc::required("contact_name", TEXT, "联系人姓名 (contact's name)"),
    FieldDoc::required("contact_mobile", MOBILE, "联系人手机号 (contact's mobile)"),
    FieldDoc::optional("contact_email", EMAIL, "联系人邮箱 (contact's email)"),
    FieldDoc::required("bank_id", TEXT, "开户银行 (the account's bank)"),
    FieldDoc::required(
        "bank_acct_no",
        CARD_NO,
        "开户银行账号 (bank account number)",
    ),
    FieldDoc::required("bank_branch", TEXT, "开户银行支行名称 (bank branch name)"),
    FieldDoc::required("bank_prov", TEXT, "开户银行省份 (the bank's province)"),
    FieldDoc::required("bank_area", TEXT, "开户银行地区 (the bank's area)"),
    FieldDoc::optional(
        "attach_nos",
        ATTACH_NOS,
        "附件编号列表,商户文件上传接口(122)的附件编号列表,多个附件编号之间用逗号隔开,如:abc123\
         或者abc123,abc1234 (attachment numbers from the file uploads, comma separated)",
    ),
    FieldDoc::required(
        "card_type",
        "1 public/company account (对公), 2 private/personal account (对私)",
        "结算卡对公对私标志 (settlement card: company or personal)",
    ),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "商户后台应答地址,通过后台异步通知商户开户结果 注意: 1) 使用时不要包含中文 2) 必须是外网地址 \
         (where the opening result is posted; no Chinese, public address)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "商户的自定义字段,该字段在交易完成后由本平台原样返回 (merchant's own field, returned as is)",
    ),
    FieldDoc::required_when(
        "extension",
        "the agent is a 企账通 agent",
        "JSON object (or its JSON text); 企账通 agents: {\"eacloud\":\"proxy\"}",
        "扩展域,企账通代理商必填,如:{“eacloud”:”proxy”} (extension; required for 企账通 agents)",
    ),
];

pub(crate) const AGENT_MERCHANT_OPENING_EXAMPLE: &str = r#"{
  "mer_name": "上海示例商贸有限公司",
  "mer_short_name": "示例商贸",
  "mer_en_name": "SLSM",
  "reg_fund": "1000000.00",
  "est_date": "20150610",
  "mer_prov": "0031",
  "mer_area": "3100",
  "mer_addr": "上海市浦东新区示例路1号",
  "mer_reg_addr": "上海市浦东新区示例路1号",
  "license_type": "01030101",
  "social_credit_code": "91310115MA1K3ABC2X",
  "license_start_date": "20150610",
  "license_end_date": "永久",
  "business_scope": "日用百货销售",
  "stockholders": [{"name": "张三", "certType": "01020100", "certId": "11010519491231002X"}],
  "legal_name": "张三",
  "legal_cert_type": "01020100",
  "legal_cert_id": "11010519491231002X",
  "legal_id_start_date": "20200101",
  "legal_id_end_date": "20400101",
  "legal_mobile": "13812345678",
  "contact_name": "李四",
  "contact_mobile": "13912345678",
  "contact_email": "finance@shop.example.com",
  "bank_id": "01020000",
  "bank_acct_no": "6222021001012345678",
  "bank_branch": "中国工商银行上海浦东支行",
  "bank_prov": "0031",
  "bank_area": "3100",
  "card_type": "1",
  "bg_ret_url": "https://shop.example.com/huifu/notify",
  "extension": {"eacloud": "proxy"}
}"#;

// ---- app-pay: POST /api/hfpay/v1/trade/app_pay ----

pub(crate) const APP_PAY_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "user_cust_id",
        CUST_ID,
        "用户客户号 (the paying user's customer id)",
    ),
    FieldDoc::required("order_date", ORDER_DATE, "订单日期 (order date)"),
    FieldDoc::required("order_id", ORDER_ID, "订单号 (the merchant's order id)"),
    FieldDoc::required(
        "pay_type",
        "04 WeChat merchant QR (微信正扫), 05 Alipay merchant QR (支付宝正扫), 10 WeChat app pay \
         (微信APP支付), 12 Alipay unified order (支付宝统一下单), 13 WeChat official account \
         (微信公众号), 18 UnionPay QR (银联正扫), 19 WeChat mini program (微信小程序)",
        "支付类型 (payment type)",
    ),
    FieldDoc::required("trans_amt", YUAN, "交易金额 (amount, yuan)"),
    FieldDoc::required_when(
        "in_cust_id",
        "trans_type is not recharge and div_detail is absent",
        OPT_TEXT,
        "入账客户号,非充值交易,入账客户号与分账串必填一个 (the customer credited; outside a \
         top-up, this or div_detail is required)",
    ),
    FieldDoc::required_when(
        "div_detail",
        "trans_type is not recharge and in_cust_id is absent",
        DIV_DETAIL,
        "分账串([{“divAmt”:”0.05”, “divAcctId”:”216548”, “divCustId”:”6666000000118348”}]) \
         (split list)",
    ),
    FieldDoc::optional(
        "trans_type",
        "guarantee (担保), recharge (充值), other (其它); default other",
        "交易类型(guarantee-担保; recharge-充值; other-其它; 默认other。) (trade type)",
    ),
    FieldDoc::optional(
        "is_raw",
        "1 yes, 0 no; empty means 1",
        "微信公众号支付支持的参数, 是否原生态(1-是; 0-否; 为空时,默认1。) (official-account pay \
         only: native mode)",
    ),
    FieldDoc::required_when(
        "app_id",
        "pay_type is 10",
        TEXT,
        "APPID,支付类型为微信APP支付时不能为空,商户在微信申请的APPID。 (the merchant's WeChat \
         APPID; required for WeChat app pay)",
    ),
    FieldDoc::required_when(
        "buyer_id",
        "pay_type is 13 or 19",
        TEXT,
        "买家用户ID,微信公众号支付和小程序支付时,不能为空。 (the buyer's id; required for \
         official-account and mini-program pay)",
    ),
    FieldDoc::required("goods_desc", TEXT, "商品描述 (goods description)"),
    FieldDoc::optional("goods_type", OPT_TEXT, "商品类型 (goods type)"),
    FieldDoc::optional(
        "attach_info",
        OPT_TEXT,
        "附加信可选息 (additional information)",
    ),
    FieldDoc::optional("good_tag", OPT_TEXT, "商品标记 (goods tag)"),
    FieldDoc::optional("ret_url", RET_URL, "支付返回地址 (page shown after paying)"),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "商户后台应答地址 (where the result is posted)",
    ),
    FieldDoc::optional("mer_priv", MER_PRIV, "商户私有域 (merchant's own field)"),
    FieldDoc::optional("dev_info", OPT_TEXT, "设备信息 (device information)"),
    FieldDoc::optional(
        "div_type",
        "01 delayed split (延时分账), the only value",
        "01:延时分账 (split type: delayed split)",
    ),
];

pub(crate) const APP_PAY_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "order_date": "20261206",
  "order_id": "P20261206000001",
  "pay_type": "05",
  "trans_amt": "88.00",
  "in_cust_id": "6666000000118349",
  "trans_type": "other",
  "goods_desc": "日用百货",
  "ret_url": "https://shop.example.com/pay/return",
  "bg_ret_url": "https://shop.example.com/huifu/notify",
  "mer_priv": "cart-42"
}"#;

// ---- balance-pay: POST /api/hfpay/v1/trade/balance_pay ----

const SMS_WHEN: &str = "the merchant's payment security settings require SMS verification";

pub(crate) const BALANCE_PAY_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "in_cust_id",
        CUST_ID,
        "卖家客户号,由汇付生成,商户的唯一性标识 (the seller's customer id)",
    ),
    FieldDoc::required(
        "out_cust_id",
        CUST_ID,
        "买家客户号,汇付生成,商户的唯一性标识 (the buyer's customer id)",
    ),
    FieldDoc::required("trans_amt", YUAN, "金额格式是 ###.00 (amount, yuan)"),
    FieldDoc::required(
        "order_id",
        ORDER_ID,
        "保证订单号和订单日期唯一 (order id; order_id + order_date unique)",
    ),
    FieldDoc::required(
        "order_date",
        ORDER_DATE,
        "保证订单号和订单日期唯一,格式为YYYYMMDD (order date)",
    ),
    FieldDoc::required_when(
        "sms_code",
        SMS_WHEN,
        SMS_CODE,
        "商户支付安全配置短信验证时必输 (SMS code, when the security settings ask for one)",
    ),
    FieldDoc::optional(
        "trans_type",
        "1 guarantee (担保), 2 not guarantee (非担保)",
        "交易类型,1担保; 2非担保。 (trade type)",
    ),
    FieldDoc::optional("ret_url", RET_URL, "前台返回地址 (page return address)"),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "通过后台异步通知商户开户结果 (where the result is posted)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "为商户的自定义字段 (merchant's own field)",
    ),
];

pub(crate) const BALANCE_PAY_EXAMPLE: &str = r#"{
  "in_cust_id": "6666000000118349",
  "out_cust_id": "6666000000118348",
  "trans_amt": "120.50",
  "order_id": "B20261206000001",
  "order_date": "20261206",
  "trans_type": "2",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- balance-query: POST /api/hfpay/v1/merchant/balance_query ----

pub(crate) const BALANCE_QUERY_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "user_cust_id",
        CUST_ID,
        "用户客户号,查询商户本身时,同商户客户号 (the customer queried; the merchant's own id \
         to query the merchant)",
    ),
    FieldDoc::required_when(
        "acct_id",
        "user_cust_id is the merchant's own mer_cust_id",
        TEXT,
        "查询商户本身时,必输 (account id; required when querying the merchant itself)",
    ),
];

pub(crate) const BALANCE_QUERY_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "acct_id": "216548"
}"#;

// ---- bank-check-card: GET /api/hfpay/app/bank_check/card/{card_id} ----

pub(crate) const BANK_CHECK_CARD_FIELDS: &[FieldDoc] = &[FieldDoc::required(
    "card_id",
    "string, non-empty; sent in the URL path, percent-encoded",
    "card_id (the spec's only words; the bank card number checked)",
)];

pub(crate) const BANK_CHECK_CARD_EXAMPLE: &str = r#"{
  "card_id": "6222021001012345678"
}"#;

// ---- bind-bank-card: POST /api/hfpay/v1/merchant/bind_bank_card ----

pub(crate) const BIND_BANK_CARD_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "user_cust_id",
        CUST_ID,
        "用户客户号 (the card holder's customer id)",
    ),
    FieldDoc::required(
        "order_id",
        ORDER_ID,
        "保证订单号和订单日期唯一 (order id; order_id + order_date unique)",
    ),
    FieldDoc::required(
        "order_date",
        ORDER_DATE,
        "保证订单号和订单日期唯一,格式为YYYYMMDD (order date)",
    ),
    FieldDoc::required("bank_id", TEXT, "银行代号 (bank code)"),
    FieldDoc::required("card_no", CARD_NO, "银行卡号 (bank card number)"),
    FieldDoc::required(
        "dc_flag",
        "0 debit card (借记卡), the only value",
        "0:借记卡(固定) (card kind: debit, fixed)",
    ),
    FieldDoc::required("card_prov", TEXT, "银行卡开户省份 (the card's province)"),
    FieldDoc::required("card_area", TEXT, "银行卡开户地区 (the card's area)"),
    FieldDoc::required(
        "card_mobile",
        MOBILE,
        "银行预留手机号 (the mobile registered with the bank)",
    ),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "后台返回地址 (where the result is posted)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "商户私有域 (merchant's own field; the spec gives no text here)",
    ),
];

pub(crate) const BIND_BANK_CARD_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "order_id": "C20261206000001",
  "order_date": "20261206",
  "bank_id": "01020000",
  "card_no": "6222021001012345678",
  "dc_flag": "0",
  "card_prov": "0031",
  "card_area": "3100",
  "card_mobile": "13812345678",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- business-opening: POST /api/hfpay/v1/merchant/business_opening ----

pub(crate) const BUSINESS_OPENING_FIELDS: &[FieldDoc] = &[
    FieldDoc::required("order_id", ORDER_ID, "订单号 (order id)"),
    FieldDoc::required("order_date", ORDER_DATE, "订单日期 (order date)"),
    FieldDoc::required(
        "apply_id",
        TEXT,
        "企业开户申请号,申请企业开户的唯一标识 (application number, unique per opening)",
    ),
    FieldDoc::required(
        "operate_type",
        OPERATE_TYPE,
        "操作类型(00090000-新增; 00090001-修改。) (operation: new or modify)",
    ),
    FieldDoc::required(
        "corp_license_type",
        "01030100 ordinary licence company (普通营业执照企业), 01030101 three-in-one company \
         (三证合一企业)",
        "01030100-普通营业执照企业; 01030101-三证合一企业。 (licence type)",
    ),
    FieldDoc::required(
        "corp_type",
        "01030000 ordinary company (普通企业), 01030001 individual business (个体户)",
        "01030000-普通企业; 01030001-个体户。 (company type)",
    ),
    FieldDoc::required(
        "corp_name",
        TEXT,
        "企业的公司全称 (the company's full name)",
    ),
    FieldDoc::required_when(
        "business_code",
        "corp_license_type is 01030100",
        TEXT,
        "营业执照注册号,普通营业执照企业必填 (business licence number)",
    ),
    FieldDoc::required_when(
        "institution_code",
        "corp_license_type is 01030100",
        TEXT,
        "组织机构代码,普通营业执照企业必填 (organisation code)",
    ),
    FieldDoc::required_when(
        "tax_code",
        "corp_license_type is 01030100",
        TEXT,
        "税务登记证号,普通营业执照企业必填 (tax registration number)",
    ),
    FieldDoc::required_when(
        "social_credit_code",
        "corp_license_type is 01030101; must be absent for 01030100",
        TEXT,
        "统一社会信用代码,三证合一企业必填, 普通营业执照企业不填 (unified social credit code; \
         three-in-one only)",
    ),
    FieldDoc::required(
        "license_start_date",
        ORDER_DATE,
        "证照起始日期,企业的营业证照起始日期, 精确到年月日 (licence valid from)",
    ),
    FieldDoc::required(
        "license_end_date",
        DATE_OR_PERMANENT,
        "证照结束日期,企业的营业证照结束日期, 精确到年月日,支持“永久” (licence valid until, or \
         永久)",
    ),
    FieldDoc::required(
        "corp_business_address",
        TEXT,
        "企业经营地址 (business address)",
    ),
    FieldDoc::required(
        "corp_reg_address",
        TEXT,
        "企业注册地址 (registered address)",
    ),
    FieldDoc::optional("corp_fixed_telephone", OPT_TEXT, "企业固定电话 (landline)"),
    FieldDoc::required("business_scope", TEXT, "企业的经营范围 (business scope)"),
    FieldDoc::required(
        "controlling_shareholder",
        STOCKHOLDERS,
        "控股股东 (实际控制人):数据格式: [{“name”:”关羽”, “certType”:”01020100”, \
         “certId”:”330204199008187881”}] (controlling shareholders)",
    ),
    FieldDoc::required(
        "legal_name",
        TEXT,
        "法人姓名 (the legal representative's name)",
    ),
    FieldDoc::required(
        "legal_cert_type",
        CERT_TYPE,
        "法人证件类型 (the legal representative's certificate type)",
    ),
    FieldDoc::required(
        "legal_cert_id",
        CERT_ID,
        "法人的证件号码,与证件类型对应 (certificate number, matching its type)",
    ),
    FieldDoc::required(
        "legal_cert_start_date",
        ORDER_DATE,
        "法人证件起始,精确到年月日 (certificate valid from)",
    ),
    FieldDoc::required(
        "legal_cert_end_date",
        DATE_OR_PERMANENT,
        "法人的证件结束日期,精确到年月日,支持“永久” (certificate valid until, or 永久)",
    ),
    FieldDoc::required(
        "legal_mobile",
        MOBILE,
        "法人手机号码 (the legal representative's mobile)",
    ),
    FieldDoc::required("contact_name", TEXT, "企业联系人姓名 (contact's name)"),
    FieldDoc::required(
        "contact_mobile",
        MOBILE,
        "企业联系人手机号 (contact's mobile)",
    ),
    FieldDoc::optional("contact_email", EMAIL, "企业联系邮箱 (contact email)"),
    FieldDoc::required(
        "bank_acct_name",
        "string, equal to corp_name",
        "企业开户银行账户名,需与企业名称保持一致 (bank account name; must equal the company name)",
    ),
    FieldDoc::required("bank_id", TEXT, "开户银行代号 (bank code)"),
    FieldDoc::required(
        "bank_acct_no",
        CARD_NO,
        "企业开户银行账号 (bank account number)",
    ),
    FieldDoc::required(
        "bank_branch",
        TEXT,
        "企业开户银行的支行名称 (bank branch name)",
    ),
    FieldDoc::required("bank_prov", TEXT, "银行卡开户省份 (the account's province)"),
    FieldDoc::required("bank_area", TEXT, "银行卡开户地区 (the account's area)"),
    FieldDoc::optional("industry", OPT_TEXT, "企业行业类别 (industry)"),
    FieldDoc::optional(
        "ret_url",
        RET_URL,
        "交易结果通过页面方式发送到该地址上 (page the result is shown on)",
    ),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "商户后台应答地址 (where the result is posted)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "商户的自定义字段,该字段在交易完成后由本平台原样返回 (merchant's own field, returned as is)",
    ),
];

pub(crate) const BUSINESS_OPENING_EXAMPLE: &str = r#"{
  "order_id": "E20261206000001",
  "order_date": "20261206",
  "apply_id": "APPLY20261206001",
  "operate_type": "00090000",
  "corp_license_type": "01030101",
  "corp_type": "01030000",
  "corp_name": "上海示例商贸有限公司",
  "social_credit_code": "91310115MA1K3ABC2X",
  "license_start_date": "20150610",
  "license_end_date": "永久",
  "corp_business_address": "上海市浦东新区示例路1号",
  "corp_reg_address": "上海市浦东新区示例路1号",
  "business_scope": "日用百货销售",
  "controlling_shareholder": [{"name": "张三", "certType": "01020100", "certId": "11010519491231002X"}],
  "legal_name": "张三",
  "legal_cert_type": "01020100",
  "legal_cert_id": "11010519491231002X",
  "legal_cert_start_date": "20200101",
  "legal_cert_end_date": "20400101",
  "legal_mobile": "13812345678",
  "contact_name": "李四",
  "contact_mobile": "13912345678",
  "contact_email": "finance@shop.example.com",
  "bank_acct_name": "上海示例商贸有限公司",
  "bank_id": "01020000",
  "bank_acct_no": "6222021001012345678",
  "bank_branch": "中国工商银行上海浦东支行",
  "bank_prov": "0031",
  "bank_area": "3100",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- fz: POST /api/hfpay/v1/trade/fz ----

pub(crate) const FZ_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "order_id",
        ORDER_ID,
        "商户号+订单号+订单日期唯一 (order id; unique with the merchant and order_date)",
    ),
    FieldDoc::required(
        "order_date",
        ORDER_DATE,
        "订单日期格式为YYYYMMDD (order date)",
    ),
    FieldDoc::required("trans_amt", YUAN, "金额格式是 ###.00 (amount, yuan)"),
    FieldDoc::required(
        "old_order_id",
        ORIG_ORDER_ID,
        "原订单号 (the original order's id)",
    ),
    FieldDoc::required(
        "old_order_date",
        ORDER_DATE,
        "原订单日期 (the original order's date)",
    ),
    FieldDoc::required(
        "div_detail",
        DIV_DETAIL_MAX_7,
        "分账串(最多7个,格式如下 [{“divAmt”:”0.05”, “divAcctId”:”216548”, \
         “divCustId”:”6666000000118348”}]) (split list, at most 7)",
    ),
    FieldDoc::optional(
        "bg_ret_url",
        OPT_BG_RET_URL,
        "异步回调 (where the result is posted)",
    ),
    FieldDoc::optional("mer_priv", MER_PRIV, "商户私有域 (merchant's own field)"),
    FieldDoc::optional(
        "extension",
        "JSON object (or its JSON text), e.g. {\"eacloud\":\"proxy\"}",
        "扩展域 (extension; the spec gives no text here)",
    ),
    FieldDoc::optional(
        "dev_info",
        OPT_TEXT,
        "设备信息 (device information; the spec gives no text here)",
    ),
];

pub(crate) const FZ_EXAMPLE: &str = r#"{
  "order_id": "F20261206000001",
  "order_date": "20261206",
  "trans_amt": "100.00",
  "old_order_id": "P20261205000001",
  "old_order_date": "20261205",
  "div_detail": [
    {"divAmt": "95.00", "divAcctId": "216548", "divCustId": "6666000000118349"},
    {"divAmt": "5.00", "divAcctId": "216549", "divCustId": "6666000000118350"}
  ],
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- merchant-opening: POST /api/hfpay/v1/merchant/merchant_opening (个体户开户) ----

pub(crate) const MERCHANT_OPENING_FIELDS: &[FieldDoc] = &[
    FieldDoc::required("order_id", ORDER_ID, "订单号 (order id)"),
    FieldDoc::required("order_date", ORDER_DATE, "订单日期YYYYMMDD (order date)"),
    FieldDoc::required(
        "apply_id",
        TEXT,
        "企业开户申请号,申请企业开户的唯一标识 (application number, unique per opening)",
    ),
    FieldDoc::required(
        "operate_type",
        OPERATE_TYPE,
        "操作类型(00090000-新增; 00090001-修改。) (operation: new or modify)",
    ),
    FieldDoc::required(
        "user_name",
        TEXT,
        "个体户名称 (the individual business's name)",
    ),
    FieldDoc::required(
        "business_code",
        TEXT,
        "营业执照注册号 (business licence number)",
    ),
    FieldDoc::required(
        "license_start_date",
        ORDER_DATE,
        "证照起始日期 (licence valid from)",
    ),
    FieldDoc::required(
        "license_end_date",
        "date yyyyMMdd; the client also takes 永久 (permanent), as the other openings' spec does",
        "证照结束日期 (licence valid until)",
    ),
    FieldDoc::required(
        "solo_business_address",
        TEXT,
        "个体经营地址 (business address)",
    ),
    FieldDoc::required(
        "solo_reg_address",
        TEXT,
        "个体注册地址 (registered address)",
    ),
    FieldDoc::optional("solo_fixed_telephone", OPT_TEXT, "个体固定电话 (landline)"),
    FieldDoc::required("business_scope", TEXT, "企业的经营范围 (business scope)"),
    FieldDoc::required(
        "legal_name",
        TEXT,
        "法人姓名 (the legal representative's name)",
    ),
    FieldDoc::required(
        "legal_cert_type",
        CERT_TYPE,
        "法人证件类型 (the legal representative's certificate type)",
    ),
    FieldDoc::required(
        "legal_cert_id",
        CERT_ID,
        "法人证件号码 (certificate number)",
    ),
    FieldDoc::required(
        "legal_cert_start_date",
        ORDER_DATE,
        "法人证件起始 (certificate valid from)",
    ),
    FieldDoc::required(
        "legal_cert_end_date",
        "date yyyyMMdd; the client also takes 永久 (permanent), as the other openings' spec does",
        "法人证件结束 (certificate valid until)",
    ),
    FieldDoc::required(
        "legal_mobile",
        MOBILE,
        "法人手机号码 (the legal representative's mobile)",
    ),
    FieldDoc::required("contact_name", TEXT, "企业联系人姓名 (contact's name)"),
    FieldDoc::required(
        "contact_mobile",
        MOBILE,
        "系人手机号 [联系人手机号] (contact's mobile)",
    ),
    FieldDoc::optional("contact_email", EMAIL, "联系人邮箱 (contact's email)"),
    FieldDoc::optional("occupation", OPT_TEXT, "职业 (occupation)"),
    FieldDoc::optional("address", OPT_TEXT, "住址 (home address)"),
    FieldDoc::optional(
        "attach_nos",
        ATTACH_NOS,
        "附件编号列表 (attachment numbers from upload-merchant-file, comma separated)",
    ),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "后台通知地址 (where the opening result is posted; the spec gives no text here)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "商户私有域 (merchant's own field; the spec gives no text here)",
    ),
];

pub(crate) const MERCHANT_OPENING_EXAMPLE: &str = r#"{
  "order_id": "M20261206000001",
  "order_date": "20261206",
  "apply_id": "APPLY20261206002",
  "operate_type": "00090000",
  "user_name": "上海浦东张三便利店",
  "business_code": "310115600123456",
  "license_start_date": "20180301",
  "license_end_date": "永久",
  "solo_business_address": "上海市浦东新区示例路2号",
  "solo_reg_address": "上海市浦东新区示例路2号",
  "business_scope": "食品零售",
  "legal_name": "张三",
  "legal_cert_type": "01020100",
  "legal_cert_id": "11010519491231002X",
  "legal_cert_start_date": "20200101",
  "legal_cert_end_date": "20400101",
  "legal_mobile": "13812345678",
  "contact_name": "张三",
  "contact_mobile": "13812345678",
  "attach_nos": "att001,att002",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- order-affirm / order-reverse: POST /api/hfpay/v1/trade/order_affirm, order_reverse ----

pub(crate) const ORDER_AFFIRM_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "old_order_id",
        ORIG_ORDER_ID,
        "原订单号,担保交易订单号 (the guarantee trade's order id)",
    ),
    FieldDoc::required(
        "old_order_date",
        ORDER_DATE,
        "原订单日期,担保交易订单日期YYYYMMDD (the guarantee trade's order date)",
    ),
    FieldDoc::required(
        "order_id",
        ORDER_ID,
        "订单号,保证订单号和订单日期唯一 (order id; order_id + order_date unique)",
    ),
    FieldDoc::required(
        "order_date",
        ORDER_DATE,
        "订单日期,保证订单号和订单日期唯一,格式为YYYYMMDD (order date)",
    ),
    FieldDoc::required("trans_amt", YUAN, "金额格式是 ###.00 (amount, yuan)"),
    FieldDoc::required(
        "in_cust_id",
        CUST_ID,
        "卖家编号,由汇付生成,商户的唯一性标识 (the seller's customer id)",
    ),
    FieldDoc::required(
        "out_cust_id",
        CUST_ID,
        "买家编号,由汇付生成,商户的唯一性标识 (the buyer's customer id)",
    ),
    FieldDoc::optional(
        "bg_ret_url",
        OPT_BG_RET_URL,
        "后台异步通知 (where the result is posted)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "为商户的自定义字段 (merchant's own field)",
    ),
];

pub(crate) const ORDER_AFFIRM_EXAMPLE: &str = r#"{
  "old_order_id": "P20261205000001",
  "old_order_date": "20261205",
  "order_id": "A20261206000001",
  "order_date": "20261206",
  "trans_amt": "88.00",
  "in_cust_id": "6666000000118349",
  "out_cust_id": "6666000000118348",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

/// The spec gives `order_reverse` the same table as `order_affirm`.
pub(crate) const ORDER_REVERSE_FIELDS: &[FieldDoc] = ORDER_AFFIRM_FIELDS;

pub(crate) const ORDER_REVERSE_EXAMPLE: &str = r#"{
  "old_order_id": "P20261205000002",
  "old_order_date": "20261205",
  "order_id": "R20261206000001",
  "order_date": "20261206",
  "trans_amt": "88.00",
  "in_cust_id": "6666000000118349",
  "out_cust_id": "6666000000118348",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- order-download: POST /api/hfpay/v1/merchant/order_download ----

pub(crate) const ORDER_DOWNLOAD_FIELDS: &[FieldDoc] = &[
    FieldDoc::required("order_date", ORDER_DATE, "对账日期 (statement date)"),
    FieldDoc::required(
        "trans_type",
        "01 trade statement (交易对账文件), the only value",
        "01:交易对账文件 (statement type)",
    ),
];

pub(crate) const ORDER_DOWNLOAD_EXAMPLE: &str = r#"{
  "order_date": "20261205",
  "trans_type": "01"
}"#;

// ---- order-query: POST /api/hfpay/v1/trade/order_query ----

pub(crate) const ORDER_QUERY_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "user_cust_id",
        CUST_ID,
        "用户客户号 (the user's customer id)",
    ),
    FieldDoc::required("order_id", ORDER_ID, "订单号 (the order id queried)"),
    FieldDoc::required("order_date", ORDER_DATE, "订单日期 (the order's date)"),
    FieldDoc::required(
        "trans_type",
        "01 quick pay, online banking, QR (快捷、网银、扫码); 02 balance pay, purchase \
         confirmation, order reversal (余额支付、采购确认、订单撤销); 03 withdrawal (提现); 04 \
         refund (退货)",
        "交易查询类型 (the kind of order queried)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "为商户的自定义字段 (merchant's own field)",
    ),
];

pub(crate) const ORDER_QUERY_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "order_id": "P20261206000001",
  "order_date": "20261206",
  "trans_type": "01"
}"#;

// ---- person-opening: POST /api/hfpay/v1/merchant/person_opening ----

pub(crate) const PERSON_OPENING_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "order_id",
        ORDER_ID,
        "保证订单号和订单日期唯一 (order id; order_id + order_date unique)",
    ),
    FieldDoc::required(
        "order_date",
        ORDER_DATE,
        "保证订单号和订单日期唯一,格式为 YYYYMMDD (order date)",
    ),
    FieldDoc::required("user_name", TEXT, "用户的真实姓名 (the user's real name)"),
    FieldDoc::required(
        "cert_id",
        RESIDENT_ID,
        "用户的身份证号 (the user's ID card number)",
    ),
    FieldDoc::required("user_mobile", MOBILE, "用户的手机号 (the user's mobile)"),
    FieldDoc::required(
        "vali_date",
        "date yyyyMMdd, e.g. 20290420",
        "填写证件上有效期的截至日期,格式为: YYYYMMDD ,例如: 20290420 (the ID card's expiry date)",
    ),
    FieldDoc::optional(
        "cust_prov",
        OPT_TEXT,
        "用户省份,如上海0031 (province code, e.g. 0031)",
    ),
    FieldDoc::optional(
        "cust_area",
        OPT_TEXT,
        "用户地区,如上海3100 (area code, e.g. 3100)",
    ),
    FieldDoc::optional(
        "cust_address",
        OPT_TEXT,
        "证件上的住址 (the address on the ID card)",
    ),
    FieldDoc::optional("occupation", OPT_TEXT, "个人职业分类表 (occupation class)"),
    FieldDoc::optional("user_email", EMAIL, "用户的电子邮箱 (the user's email)"),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "后台异步通知商户开户结果 (where the opening result is posted)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "为商户的自定义字段,该字段在交易完成后由本平台原样返回 (merchant's own field, returned as \
         is)",
    ),
];

pub(crate) const PERSON_OPENING_EXAMPLE: &str = r#"{
  "order_id": "U20261206000001",
  "order_date": "20261206",
  "user_name": "张三",
  "cert_id": "11010519491231002X",
  "user_mobile": "13812345678",
  "vali_date": "20290420",
  "cust_prov": "0031",
  "cust_area": "3100",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- quick-pay: POST /api/hfpay/v1/trade/quick_pay ----

pub(crate) const QUICK_PAY_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "user_cust_id",
        CUST_ID,
        "用户客户号 (the payer's customer id)",
    ),
    FieldDoc::required("order_id", ORDER_ID, "订单号 (order id)"),
    FieldDoc::required("order_date", ORDER_DATE, "订单日期 (order date)"),
    FieldDoc::required(
        "ori_order_id",
        ORIG_ORDER_ID,
        "原请求订单单号 (the order id of the send-quick-pay-sms-code request)",
    ),
    FieldDoc::required(
        "ori_order_date",
        ORDER_DATE,
        "原请求订单日期 (the order date of the send-quick-pay-sms-code request)",
    ),
    FieldDoc::required(
        "sms_code",
        "digits",
        "短信验证码 (the SMS code the payer received)",
    ),
    FieldDoc::optional(
        "ret_url",
        RET_URL,
        "页面返回URL,交易完成后,本平台系统把交易结果通过页面方式,发送到该地址上 (page the result \
         is shown on)",
    ),
    FieldDoc::optional(
        "request_type",
        "00 PC (PC端), 01 mobile (移动端)",
        "00 : PC端; 01 : 移动端 (the payer's device)",
    ),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "商户后台应答地址 (where the result is posted)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "商户的自定义字段,该字段在交易完成后由本平台原样返回 (merchant's own field, returned as is)",
    ),
    FieldDoc::required_when(
        "secondary_mer_id",
        "the merchant has the secondary-merchant mode enabled",
        OPT_TEXT,
        "二级商户号,对于开启二级商户模式的商户,必须输入其配下的二级商户号 (secondary merchant id)",
    ),
];

pub(crate) const QUICK_PAY_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "order_id": "Q20261206000002",
  "order_date": "20261206",
  "ori_order_id": "Q20261206000001",
  "ori_order_date": "20261206",
  "sms_code": "123456",
  "request_type": "01",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- refund: POST /api/hfpay/v1/trade/refund ----

pub(crate) const REFUND_FIELDS: &[FieldDoc] = &[
    FieldDoc::required_when(
        "user_cust_id",
        "the original trade was online banking or quick pay (optional for QR pay)",
        OPT_TEXT,
        "由汇付生成,用户的唯一性标识 对原交易为网银支付、快捷支付时必须;对原交易为扫码支付时可选 \
         (the user's customer id)",
    ),
    FieldDoc::required(
        "order_date",
        ORDER_DATE,
        "保证订单号和订单日期唯一,格式为YYYYMMDD (the refund's date)",
    ),
    FieldDoc::required(
        "order_id",
        ORDER_ID,
        "保证订单号和订单日期唯一;对于退货失败的,支持同订单号同金额的重复请求;新订单号认为是新的退货交易 \
         (the refund's order id; a failed refund may be resent with the same id and amount, a \
         new id is a new refund)",
    ),
    FieldDoc::required("trans_amt", YUAN, "金额格式是 ###.00 (refund amount, yuan)"),
    FieldDoc::required(
        "org_order_id",
        ORIG_ORDER_ID,
        "原交易订单号 (the original trade's order id)",
    ),
    FieldDoc::required(
        "org_order_date",
        ORDER_DATE,
        "原交易订单日期 (the original trade's order date)",
    ),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "商户后台应答地址:通过后台异步通知商户结果,注意: 1) 使用时不要包含中文; 2) 必须是外网地址。 \
         (where the result is posted; no Chinese, public address)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "为商户的自定义字段 (merchant's own field)",
    ),
    FieldDoc::optional(
        "div_detail",
        DIV_DETAIL_MAX_7,
        "分账串:分账串最多7个,示例如: [{“divAmt”:”0.05”, “divAcctId”:”216548”, \
         “divCustId”:”6666000000118348”}] (split list, at most 7)",
    ),
];

pub(crate) const REFUND_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "order_date": "20261206",
  "order_id": "T20261206000001",
  "trans_amt": "20.00",
  "org_order_id": "Q20261205000001",
  "org_order_date": "20261205",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- send-quick-pay-sms-code: POST /api/hfpay/v1/trade/send_quick_pay_sms_code ----

pub(crate) const SEND_QUICK_PAY_SMS_CODE_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "user_cust_id",
        CUST_ID,
        "用户客户号 (the payer's customer id)",
    ),
    FieldDoc::required(
        "order_id",
        ORDER_ID,
        "订单号 (order id; quick-pay's ori_order_id)",
    ),
    FieldDoc::required(
        "order_date",
        ORDER_DATE,
        "订单日期 (order date; quick-pay's ori_order_date)",
    ),
    FieldDoc::required("trans_amt", YUAN, "交易金额 (amount, yuan)"),
    FieldDoc::required("card_no", CARD_NO, "银行卡号 (bank card number)"),
    FieldDoc::required(
        "card_mobile",
        MOBILE,
        "银行预留手机号 (the mobile registered with the bank)",
    ),
    FieldDoc::optional(
        "card_prov",
        OPT_TEXT,
        "银行卡开户省份 (the card's province)",
    ),
    FieldDoc::optional("card_area", OPT_TEXT, "银行卡开户地区 (the card's area)"),
    FieldDoc::optional("in_cust_id", OPT_TEXT, "入账用户号 (the customer credited)"),
    FieldDoc::optional("div_detail", DIV_DETAIL, "分账串 (split list)"),
    FieldDoc::optional(
        "trans_type",
        "guarantee (担保), recharge (充值), other (其它); default other",
        "交易类型(guarantee-担保; recharge-充值; other-其它; 默认other。) (trade type)",
    ),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "商户后台应答地址 (where the result is posted)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "商户私有域(为商户的自定义字段,该字段在交易完成后由本平台原样返回) (merchant's own field, \
         returned as is)",
    ),
    FieldDoc::optional(
        "payer_term_type",
        OPT_TEXT,
        "付款方交易终端类型 (payer's terminal type)",
    ),
    FieldDoc::optional(
        "payer_term_no",
        OPT_TEXT,
        "付款方交易终端编码 (payer's terminal code)",
    ),
    FieldDoc::optional("goods_short_name", OPT_TEXT, "商品简称 (goods short name)"),
];

pub(crate) const SEND_QUICK_PAY_SMS_CODE_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "order_id": "Q20261206000001",
  "order_date": "20261206",
  "trans_amt": "66.00",
  "card_no": "6222021001012345678",
  "card_mobile": "13812345678",
  "in_cust_id": "6666000000118349",
  "trans_type": "other",
  "bg_ret_url": "https://shop.example.com/huifu/notify",
  "goods_short_name": "日用百货"
}"#;

// ---- send-sms-code: POST /api/hfpay/v1/merchant/send_sms_code ----

pub(crate) const SEND_SMS_CODE_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "user_cust_id",
        CUST_ID,
        "用户客户号 (the user's customer id)",
    ),
    FieldDoc::required("order_id", ORDER_ID, "订单号 (order id)"),
    FieldDoc::required("order_date", ORDER_DATE, "订单日期 (order date)"),
    FieldDoc::required("user_mobile", MOBILE, "用户手机号 (the user's mobile)"),
    FieldDoc::required(
        "busi_type",
        "T11 balance pay (余额支付), T07 withdrawal (提现), U06 create a sub-account (创建子账户)",
        "业务类型(T11-余额支付; T07-提现; U06-创建子账户) (what the code is for)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "商户的自定义字段,该字段在交易完成后由本平台原样返回 (merchant's own field, returned as is)",
    ),
];

pub(crate) const SEND_SMS_CODE_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "order_id": "S20261206000001",
  "order_date": "20261206",
  "user_mobile": "13812345678",
  "busi_type": "T07"
}"#;

// ---- sub-merchant-create: POST /api/hfpay/v1/merchant/sub_merchant_create ----

pub(crate) const SUB_MERCHANT_CREATE_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "user_cust_id",
        CUST_ID,
        "用户客户号 (the user's customer id)",
    ),
    FieldDoc::required(
        "order_id",
        ORDER_ID,
        "保证订单号和订单日期唯一 (order id; order_id + order_date unique)",
    ),
    FieldDoc::required(
        "order_date",
        ORDER_DATE,
        "保证订单号和订单日期唯一,格式为YYYYMMDD (order date)",
    ),
    FieldDoc::required(
        "acct_type",
        "100 payment account (支付账户), 200 non-payment account (非支付账户)",
        "100:支付账户;200:非支付账户 (account type)",
    ),
    FieldDoc::required_when(
        "sms_code",
        SMS_WHEN,
        SMS_CODE,
        "商户支付安全配置短信验证时必输 (SMS code, when the security settings ask for one)",
    ),
    FieldDoc::optional(
        "ret_url",
        RET_URL,
        "通过前台通知商户提现结果 (page the result is shown on)",
    ),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "通过后台异步通知商户提现结果 (where the result is posted)",
    ),
    FieldDoc::optional("mer_priv", MER_PRIV, "商户私有域 (merchant's own field)"),
];

pub(crate) const SUB_MERCHANT_CREATE_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "order_id": "N20261206000001",
  "order_date": "20261206",
  "acct_type": "100",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- unsgin: POST /api/hfpay/v1/trade/unsgin ----

pub(crate) const UNSGIN_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "check_value",
        "string, non-empty: the callback's check_value as received",
        "回调加密串 (the callback's encoded string)",
    ),
    FieldDoc::required(
        "unsign_type",
        "integer: 1 base64, the only value",
        "解密类型,1:base64 (decoding type)",
    ),
];

pub(crate) const UNSGIN_EXAMPLE: &str = r#"{
  "check_value": "eyJyZXNwX2NvZGUiOiJDMDAwMDAiLCJvcmRlcl9pZCI6IlAyMDI2MTIwNjAwMDAwMSJ9",
  "unsign_type": 1
}"#;

// ---- untie-bank-card: POST /api/hfpay/v1/merchant/untie_bank_card ----

pub(crate) const UNTIE_BANK_CARD_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "user_cust_id",
        CUST_ID,
        "用户客户号 (the card holder's customer id)",
    ),
    FieldDoc::required(
        "order_id",
        ORDER_ID,
        "保证订单号和订单日期唯一 (order id; order_id + order_date unique)",
    ),
    FieldDoc::required(
        "order_date",
        ORDER_DATE,
        "保证订单号和订单日期唯一,格式为YYYYMMDD (order date)",
    ),
    FieldDoc::required("bank_id", TEXT, "银行代号 (bank code)"),
    FieldDoc::required("card_id", TEXT, "绑卡ID (the bound card's id)"),
    FieldDoc::required(
        "card_mobile",
        MOBILE,
        "银行卡预留手机号 (the mobile registered with the bank)",
    ),
    FieldDoc::required(
        "card_buss_type",
        "0 withdrawal card (提现), 2 quick-pay card (快捷)",
        "卡业务类型(0:提现;2:快捷。) (the card's use)",
    ),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "商户后台应答地址 (where the result is posted)",
    ),
    FieldDoc::optional("mer_priv", MER_PRIV, "商户私有域 (merchant's own field)"),
];

pub(crate) const UNTIE_BANK_CARD_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "order_id": "D20261206000001",
  "order_date": "20261206",
  "bank_id": "01020000",
  "card_id": "100234",
  "card_mobile": "13812345678",
  "card_buss_type": "0",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- upload-agent-file: POST /api/hfpay/v1/merchant/upload_agent_file (multipart) ----

const FILE_UPLOAD_TYPE: &str = "01 new (新增), the only code the spec gives; default new";

pub(crate) const UPLOAD_AGENT_FILE_FIELDS: &[FieldDoc] = &[
    FieldDoc::required("attach_no", TEXT, "附件编号 (attachment number)"),
    FieldDoc::required(
        "trans_type",
        "01 agent opening (代理商开户), 02 Shenglibao opening (生利宝开户), 03 business opening \
         (企业开户), 05 individual business opening (个体工商户开户), 06 batch payout (批量代发)",
        "业务类型 (business type)",
    ),
    FieldDoc::required(
        "attach_type",
        "00 business licence (营业执照注册号), 01 organisation code certificate (组织结构代码证), \
         02 tax registration (税务登记证号), 03 legal person's certificate (法人证件), 04 bank \
         account licence (开户银行许可证), 05 unified social credit code (统一社会信用代码), 08 \
         electronic agreement (开户电子协议), 09 legal person's certificate, back (法人证件反面), \
         10 business photo (经营照片), 11 address photo (经营照片(地址照片)), 12 shop front photo \
         (经营照片(门面照片)), 99 other (其他)",
        "附件类型 (attachment type)",
    ),
    FieldDoc::optional("attach_desc", OPT_TEXT, "文件描述 (file description)"),
    FieldDoc::optional(
        "file_upload_type",
        FILE_UPLOAD_TYPE,
        "上传类型,01:新增 说明(非必填。默认为新增,新增情况下,文件名重复报错;更新情况下文件名重复会更新\
         已上传文件) (upload type: new refuses a file name used before, update replaces it; the \
         spec gives no code for update)",
    ),
    FieldDoc::required_when(
        "file",
        FILE_WHEN,
        "a file of any type (a batch payout list may be CSV), not empty, within the configured \
         size limit (default 5 MiB); its name is sent UTF-8 percent-encoded",
        "文件名称为 UTF-8 字符集 ,URLEncode 编码后的字符串。 (the file; its name UTF-8, URL-encoded)",
    ),
];

pub(crate) const UPLOAD_AGENT_FILE_EXAMPLE: &str = r#"{
  "attach_no": "att20261206001",
  "trans_type": "01",
  "attach_type": "00",
  "attach_desc": "营业执照",
  "file_upload_type": "01"
}"#;

// ---- upload-card: POST /api/hfpay/v1/merchant/upload_card (multipart) ----

const ID_PHOTO: &str = "a JPEG or PNG image, not empty, within the configured size limit \
                        (default 5 MiB)";

pub(crate) const UPLOAD_CARD_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "user_cust_id",
        CUST_ID,
        "用户客户号 (the user's customer id)",
    ),
    FieldDoc::required("order_id", ORDER_ID, "订单号 (order id)"),
    FieldDoc::required("order_date", ORDER_DATE, "订单日期YYYYMMDD (order date)"),
    FieldDoc::required("cert_id", RESIDENT_ID, "证件号 (ID card number)"),
    FieldDoc::required("cert_name", TEXT, "证件姓名 (the name on the ID card)"),
    FieldDoc::required(
        "cert_type",
        "00 ID card (身份证), the only value",
        "证件类型 00-身份证 (certificate type)",
    ),
    FieldDoc::required(
        "source_channel",
        "0 PC, 1 ANDROID, 2 IOS",
        "来源渠道 0-PC;1-ANDROID;2-IOS (source channel)",
    ),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "通过后台异步通知商户提现结果 (where the result is posted)",
    ),
    FieldDoc::required_when(
        "file1",
        FILE_WHEN,
        ID_PHOTO,
        "身份证正面照 (ID card, front)",
    ),
    FieldDoc::required_when("file2", FILE_WHEN, ID_PHOTO, "身份证反面照 (ID card, back)"),
];

pub(crate) const UPLOAD_CARD_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "order_id": "K20261206000001",
  "order_date": "20261206",
  "cert_id": "11010519491231002X",
  "cert_name": "张三",
  "cert_type": "00",
  "source_channel": "0",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

// ---- upload-merchant-file: POST /api/hfpay/v1/merchant/upload_merchant_file (multipart) ----

pub(crate) const UPLOAD_MERCHANT_FILE_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "attach_no",
        TEXT,
        "附件编号,商户必须保证唯一 (attachment number, unique per merchant)",
    ),
    FieldDoc::required(
        "trans_type",
        "05 individual business (个体工商户), the only value",
        "业务类型:05-个体工商户 (business type)",
    ),
    FieldDoc::required(
        "attach_type",
        "00 business licence (营业执照注册号), 01 organisation code certificate (组织结构代码证), \
         02 tax registration (税务登记证号), 03 legal person's certificate (法人证件), 04 bank \
         account licence (开户银行许可证), 05 unified social credit code (统一社会信用代码), 08 \
         electronic agreement (开户电子协议), 09 legal person's certificate, back (法人证件反面), \
         10 business photo (经营照片), 11 address photo (经营照片(地址照片)), 12 shop front photo \
         (经营照片(门面照片)), 13 settlement card, front (结算卡正面), 14 settlement card, back \
         (结算卡反面), 99 other (其他)",
        "附件类型 (attachment type)",
    ),
    FieldDoc::optional("attach_desc", OPT_TEXT, "文件描述 (file description)"),
    FieldDoc::required_when(
        "file",
        FILE_WHEN,
        "a file of any type, not empty, within the configured size limit (default 5 MiB); its \
         name is sent UTF-8 percent-encoded",
        "文件名称为 UTF-8 字符集 ,URLEncode 编码后的字符串。 (the file; its name UTF-8, URL-encoded)",
    ),
    FieldDoc::optional(
        "file_upload_type",
        FILE_UPLOAD_TYPE,
        "01:新增(文件名称不能重复) (upload type: new, the file name must not repeat)",
    ),
];

pub(crate) const UPLOAD_MERCHANT_FILE_EXAMPLE: &str = r#"{
  "attach_no": "att20261206002",
  "trans_type": "05",
  "attach_type": "13",
  "attach_desc": "结算卡正面",
  "file_upload_type": "01"
}"#;

// ---- withdrawal: POST /api/hfpay/v1/trade/withdrawal ----

pub(crate) const WITHDRAWAL_FIELDS: &[FieldDoc] = &[
    FieldDoc::required(
        "user_cust_id",
        CUST_ID,
        "用户客户号 (the user's customer id)",
    ),
    FieldDoc::required(
        "order_id",
        ORDER_ID,
        "保证订单号和订单日期唯一 (order id; order_id + order_date unique)",
    ),
    FieldDoc::required(
        "order_date",
        ORDER_DATE,
        "保证订单号和订单日期唯一,格式为YYYYMMDD (order date)",
    ),
    FieldDoc::required("trans_amt", YUAN, "金额格式是 ###.00 (amount, yuan)"),
    FieldDoc::required(
        "cash_bind_card_id",
        TEXT,
        "提现绑定银行卡ID (the bound card's id to withdraw to)",
    ),
    FieldDoc::required(
        "cash_type",
        "T0 same day (T+0提现), T1 next working day (T+1提现)",
        "T0:T+0提现; T1:T+1提现。 (withdrawal type)",
    ),
    FieldDoc::optional(
        "fee_obj",
        "M charge the merchant (向商户收取), U charge the user (向用户收取)",
        "商户指定提现手续费的收取对象,优先级别高于商户配置的收取对象 (who pays the fee; overrides \
         the merchant's setting)",
    ),
    FieldDoc::required_when(
        "fee_acct_id",
        "fee_obj is M",
        TEXT,
        "向商户收取时,必填 (the account charged the fee; required when the merchant pays it)",
    ),
    FieldDoc::required_when(
        "sms_code",
        SMS_WHEN,
        SMS_CODE,
        "商户支付安全配置短信验证时必输 (SMS code, when the security settings ask for one)",
    ),
    FieldDoc::optional(
        "ret_url",
        RET_URL,
        "通过前台通知商户提现结果 (page the result is shown on)",
    ),
    FieldDoc::required(
        "bg_ret_url",
        BG_RET_URL,
        "通过后台异步通知商户提现结果 (where the result is posted)",
    ),
    FieldDoc::optional(
        "mer_priv",
        MER_PRIV,
        "为商户的自定义字段,该字段在交易完成后由本平台原样返回 (merchant's own field, returned as is)",
    ),
];

pub(crate) const WITHDRAWAL_EXAMPLE: &str = r#"{
  "user_cust_id": "6666000000118348",
  "order_id": "W20261206000001",
  "order_date": "20261206",
  "trans_amt": "500.00",
  "cash_bind_card_id": "100234",
  "cash_type": "T1",
  "fee_obj": "U",
  "bg_ret_url": "https://shop.example.com/huifu/notify"
}"#;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use pay_core::Extensions;
    use pay_core::Operation;
    use pay_core::multipart::FilePart;
    use pay_core::operation::{OperationDoc, Presence};
    use pay_core::test_util::{RecordingTransport, check_catalog, form_pairs};
    use pay_core::transport::{TransportError, transport_fn};
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    use super::*;
    use crate::merchant::{
        AgentMerchantOpeningRequest, BalanceQueryRequest, BindBankCardRequest,
        BusinessOpeningRequest, MerchantOpeningRequest, OrderDownloadRequest, PersonOpeningRequest,
        SendSmsCodeRequest, SubMerchantCreateRequest, UntieBankCardRequest,
    };
    use crate::trade::{
        AppPayRequest, BalancePayRequest, FzRequest, OrderAffirm, OrderAffirmRequest,
        OrderQueryRequest, OrderReverse, OrderReverseRequest, QuickPayRequest, RefundRequest,
        SendQuickPaySmsCodeRequest, UnsignRequest, WithdrawalRequest,
    };
    use crate::upload::{UploadCardRequest, UploadFileRequest};
    use crate::{Client, Config, OPERATION_FILES, OPERATIONS};

    const MER: &str = "6666000000026081";

    use crate::CATALOG;

    fn entry(name: &str) -> &'static OperationDoc {
        CATALOG
            .iter()
            .find(|d| d.name == name)
            .unwrap_or_else(|| panic!("{name} is not in the catalog"))
    }

    /// The fields an upload takes as files, never in `--data`.
    fn file_fields(name: &str) -> &'static [&'static str] {
        OPERATION_FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[], |(_, f)| f)
    }

    fn example(name: &str) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::from_str(entry(name).example) {
            Ok(serde_json::Value::Object(m)) => m,
            other => panic!("{name}: EXAMPLE is not a JSON object: {other:?}"),
        }
    }

    #[test]
    fn the_catalog_covers_every_operation_and_is_consistent() {
        let names: Vec<&str> = CATALOG.iter().map(|d| d.name).collect();
        assert_eq!(names, OPERATIONS);
        check_catalog(CATALOG);
        for d in CATALOG {
            for f in d.fields {
                // What the client fills in itself is not a request field.
                assert!(
                    ![
                        "mer_cust_id",
                        "client_id",
                        "client_secret",
                        "sign",
                        "sign_method",
                        "sign_time"
                    ]
                    .contains(&f.name),
                    "{}: {} comes from the client",
                    d.name,
                    f.name
                );
                if let Presence::RequiredWhen(when) = f.presence {
                    assert!(
                        !when.trim().is_empty(),
                        "{}: {} says no case",
                        d.name,
                        f.name
                    );
                }
            }
            // The files are documented, and only as files: never in the example's data.
            for file in file_fields(d.name) {
                let f = d.fields.iter().find(|f| f.name == *file);
                assert_eq!(
                    f.map(|f| f.presence),
                    Some(Presence::RequiredWhen(FILE_WHEN)),
                    "{}: {file}",
                    d.name
                );
                assert!(!example(d.name).contains_key(*file), "{}: {file}", d.name);
            }
        }
    }

    /// A value of the right JSON type for a documented field the example leaves out.
    fn filler(field: &str) -> serde_json::Value {
        match field {
            "paid_in_fund" => serde_json::json!("1.00"),
            "div_detail" => serde_json::json!([
                {"divAmt": "1.00", "divAcctId": "216548", "divCustId": "6666000000118348"}
            ]),
            "extension" => serde_json::json!({"eacloud": "proxy"}),
            _ => serde_json::json!("x"),
        }
    }

    /// The top-level field names in a struct's `Debug` text (`Name { a: .., b: None }`): every
    /// field of the request, `None` ones too, which serialising leaves out.
    fn debug_fields(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut depth = 0usize;
        let mut in_str = false;
        let mut escaped = false;
        let mut current = String::new();
        let mut expecting_name = false;
        for c in text.chars() {
            if in_str {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_str = false;
                }
                continue;
            }
            match c {
                '"' => in_str = true,
                '{' | '[' | '(' => {
                    depth += 1;
                    if depth == 1 {
                        expecting_name = true;
                        current.clear();
                    }
                }
                '}' | ']' | ')' => depth -= 1,
                ',' if depth == 1 => {
                    expecting_name = true;
                    current.clear();
                }
                ':' if depth == 1 && expecting_name => {
                    names.push(current.trim().to_owned());
                    expecting_name = false;
                }
                _ if depth == 1 && expecting_name => current.push(c),
                _ => {}
            }
        }
        names
    }

    trait Typed: Serialize + DeserializeOwned + std::fmt::Debug {
        fn extra(&self) -> &Extensions;
    }

    macro_rules! typed {
        ($($t:ty),* $(,)?) => {
            $(impl Typed for $t {
                fn extra(&self) -> &Extensions {
                    &self.extra
                }
            })*
        };
    }

    typed!(
        AgentMerchantOpeningRequest,
        AppPayRequest,
        BalancePayRequest,
        BalanceQueryRequest,
        BindBankCardRequest,
        BusinessOpeningRequest,
        FzRequest,
        MerchantOpeningRequest,
        OrderAffirmRequest,
        OrderDownloadRequest,
        OrderQueryRequest,
        PersonOpeningRequest,
        QuickPayRequest,
        RefundRequest,
        SendQuickPaySmsCodeRequest,
        SendSmsCodeRequest,
        SubMerchantCreateRequest,
        UnsignRequest,
        UntieBankCardRequest,
        UploadCardRequest,
        UploadFileRequest,
        WithdrawalRequest,
    );

    /// The example read into `T` (wire names all typed fields: nothing lands in `extra`), and
    /// every documented data field a field of `T`: the example with every documented field
    /// filled in reads into `T` with nothing in `extra`, and `T` writes back exactly the
    /// documented fields.
    fn read<T: Typed>(name: &str) -> T {
        let ex = example(name);
        let req: T = serde_json::from_value(serde_json::Value::Object(ex.clone()))
            .unwrap_or_else(|e| panic!("{name}: EXAMPLE does not read into the request: {e}"));
        assert!(req.extra().is_empty(), "{name}: {:?} untyped", req.extra());
        let written = serde_json::to_value(&req).expect("a request serialises");
        for key in written.as_object().expect("an object").keys() {
            assert!(
                entry(name).fields.iter().any(|f| f.name == key),
                "{name}: the request sends {key}, which FIELDS does not document"
            );
        }

        let files = file_fields(name);
        let mut full = ex;
        for f in entry(name).fields {
            if !files.contains(&f.name) && !full.contains_key(f.name) {
                full.insert(f.name.to_owned(), filler(f.name));
            }
        }
        let documented: BTreeSet<&str> = full.keys().map(String::as_str).collect();
        let all: T = serde_json::from_value(serde_json::Value::Object(full.clone()))
            .unwrap_or_else(|e| panic!("{name}: every documented field: {e}"));
        assert!(
            all.extra().is_empty(),
            "{name}: documented but not fields of the request: {:?}",
            all.extra()
        );
        let written = serde_json::to_value(&all).expect("a request serialises");
        let written: BTreeSet<&str> = written
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(written, documented, "{name}");

        // Every field of the request type, `None` ones included, is documented.
        let fields = debug_fields(&format!("{req:?}"));
        let fields: BTreeSet<&str> = fields
            .iter()
            .map(String::as_str)
            .filter(|f| *f != "extra")
            .collect();
        assert_eq!(fields, documented, "{name}: the request type's fields");
        req
    }

    #[test]
    fn every_example_reads_into_its_request_and_passes_its_validation() {
        read::<AgentMerchantOpeningRequest>("agent-merchant-opening")
            .validate()
            .expect("agent-merchant-opening");
        read::<AppPayRequest>("app-pay")
            .validate()
            .expect("app-pay");
        read::<BalancePayRequest>("balance-pay")
            .validate()
            .expect("balance-pay");
        read::<BalanceQueryRequest>("balance-query")
            .validate()
            .expect("balance-query");
        read::<BindBankCardRequest>("bind-bank-card")
            .validate()
            .expect("bind-bank-card");
        read::<BusinessOpeningRequest>("business-opening")
            .validate()
            .expect("business-opening");
        read::<FzRequest>("fz").validate().expect("fz");
        read::<MerchantOpeningRequest>("merchant-opening")
            .validate()
            .expect("merchant-opening");
        OrderAffirm(&read::<OrderAffirmRequest>("order-affirm"))
            .validate()
            .expect("order-affirm");
        read::<OrderDownloadRequest>("order-download")
            .validate()
            .expect("order-download");
        read::<OrderQueryRequest>("order-query")
            .validate()
            .expect("order-query");
        OrderReverse(&read::<OrderReverseRequest>("order-reverse"))
            .validate()
            .expect("order-reverse");
        read::<PersonOpeningRequest>("person-opening")
            .validate()
            .expect("person-opening");
        read::<QuickPayRequest>("quick-pay")
            .validate()
            .expect("quick-pay");
        read::<RefundRequest>("refund").validate().expect("refund");
        read::<SendQuickPaySmsCodeRequest>("send-quick-pay-sms-code")
            .validate()
            .expect("send-quick-pay-sms-code");
        read::<SendSmsCodeRequest>("send-sms-code")
            .validate()
            .expect("send-sms-code");
        read::<SubMerchantCreateRequest>("sub-merchant-create")
            .validate()
            .expect("sub-merchant-create");
        read::<UnsignRequest>("unsgin").validate().expect("unsgin");
        read::<UntieBankCardRequest>("untie-bank-card")
            .validate()
            .expect("untie-bank-card");
        read::<WithdrawalRequest>("withdrawal")
            .validate()
            .expect("withdrawal");
        // The uploads' checks are private to `upload`: `call_json` runs them in
        // `every_example_goes_on_the_wire_through_call_json`.
        read::<UploadCardRequest>("upload-card");
        read::<UploadFileRequest>("upload-agent-file");
        read::<UploadFileRequest>("upload-merchant-file");
        // bank-check-card reads `card_id` in call_json; it goes in the path.
        assert_eq!(
            example("bank-check-card").keys().collect::<Vec<_>>(),
            ["card_id"]
        );
    }

    fn files_for(name: &str) -> Vec<FilePart> {
        // A JPEG's first bytes: upload-card takes JPEG or PNG; the others any file.
        let jpeg = bytes::Bytes::from_static(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F']);
        file_fields(name)
            .iter()
            .map(|f| FilePart {
                field: (*f).to_owned(),
                file_name: format!("{f}.jpg"),
                content_type: "image/jpeg".to_owned(),
                data: jpeg.clone(),
            })
            .collect()
    }

    fn config() -> Config {
        Config::builder(MER, "client-id", "client-secret")
            .base_url("https://gw.example")
            .build()
            .expect("a valid config")
    }

    /// Every example passes `call_json`'s reading and validation: on a transport that refuses
    /// to send, the failure is the transport's.
    #[tokio::test]
    async fn every_example_passes_validation_through_call_json() {
        let refusing = Arc::new(transport_fn(|_| async {
            Err(TransportError::connect("refused by the test"))
        }));
        let client = Client::with_transport(config(), refusing).expect("no timeout");
        for d in CATALOG {
            let data: serde_json::Value = serde_json::from_str(d.example).expect("JSON");
            let err = client
                .call_json(d.name, data, files_for(d.name))
                .await
                .expect_err("nothing is answered");
            assert!(
                matches!(err, pay_core::Error::Transport { .. }),
                "{}: {err:?}",
                d.name
            );
        }
    }

    /// Every example passes `call_json`'s reading and checks (the public `bg_ret_url` too) and
    /// is sent exactly once, with every example field on the wire and nothing undocumented.
    #[tokio::test]
    async fn every_example_goes_on_the_wire_through_call_json() {
        for d in CATALOG {
            let recorder = Arc::new(RecordingTransport::new());
            let client = Client::with_transport(config(), recorder.clone()).expect("no timeout");
            let data: serde_json::Value = serde_json::from_str(d.example).expect("JSON");
            let result = client.call_json(d.name, data, files_for(d.name)).await;
            let requests = recorder.requests();
            assert_eq!(
                requests.len(),
                1,
                "{}: not sent (refused before sending: {result:?})",
                d.name
            );
            // The recorder answers 500: the call fails after sending, not in validation.
            let err = result.expect_err("a 500 answer is an error");
            assert!(
                !matches!(err, pay_core::Error::InvalidInput { .. }),
                "{}: {err:?}",
                d.name
            );
            let request = &requests[0];
            let keys = example(d.name);
            if d.name == "bank-check-card" {
                assert_eq!(
                    request.uri().path(),
                    "/api/hfpay/app/bank_check/card/6222021001012345678"
                );
                continue;
            }
            assert!(request.uri().path().ends_with(d.path), "{}", d.name);
            let body = request.body();
            if file_fields(d.name).is_empty() {
                let pairs = form_pairs(body);
                let sent: BTreeSet<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
                let mut expected: BTreeSet<&str> = keys.keys().map(String::as_str).collect();
                expected.insert("mer_cust_id");
                assert_eq!(sent, expected, "{}", d.name);
            } else {
                let text = String::from_utf8_lossy(body);
                for key in keys
                    .keys()
                    .map(String::as_str)
                    .chain(file_fields(d.name).iter().copied())
                {
                    assert!(
                        text.contains(&format!("name=\"{key}\"")),
                        "{}: {key} not sent",
                        d.name
                    );
                }
            }
        }
    }
}
