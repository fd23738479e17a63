"""Static material for the demo company: people, products, name parts and bilingual text templates.

Kept apart from the generator so that a trainer can read (and extend) the vocabulary without reading
the randomness; everything here is fictional. Name parts never contain a planted story's names or a
competitor's, so random accounts cannot be mistaken for them by the entity linker.
"""

from __future__ import annotations

# --- our company ---------------------------------------------------------------------------------

TEAMS: tuple[tuple[str, str, str, str], ...] = (
    # id, name_zh, name_en, manager_id
    ("team-east", "华东大区", "East China", "zhao.lei"),
    ("team-south", "华南大区", "South China", "chen.jing"),
    ("team-intl", "国际业务部", "International", "maria.garcia"),
    ("team-gov", "政企事业部", "Public Sector", "liu.yang"),
)

USERS: tuple[tuple[str, str, str, str, str, str | None], ...] = (
    # id, name, name_en, role, title, team_id
    ("admin", "系统管理员", "Admin", "admin", "admin", None),
    ("zhao.lei", "赵磊", "Zhao Lei", "manager", "manager", "team-east"),
    ("chen.jing", "陈静", "Chen Jing", "manager", "manager", "team-south"),
    ("maria.garcia", "Maria Garcia", "Maria Garcia", "manager", "manager", "team-intl"),
    ("liu.yang", "刘洋", "Liu Yang", "manager", "manager", "team-gov"),
    ("li.na", "李娜", "Li Na", "rep", "sales", "team-east"),
    ("wang.wei", "王伟", "Wang Wei", "rep", "sales", "team-east"),
    ("zhang.min", "张敏", "Zhang Min", "rep", "sales", "team-east"),
    ("sun.hao", "孙浩", "Sun Hao", "rep", "sales", "team-south"),
    ("zhou.xin", "周欣", "Zhou Xin", "rep", "sales", "team-south"),
    ("wu.fang", "吴芳", "Wu Fang", "rep", "sales", "team-south"),
    ("bob.smith", "Bob Smith", "Bob Smith", "rep", "sales", "team-intl"),
    ("alice.chen", "Alice Chen", "Alice Chen", "rep", "sales", "team-intl"),
    ("david.lee", "David Lee", "David Lee", "rep", "sales", "team-intl"),
    ("he.jun", "何军", "He Jun", "rep", "sales", "team-gov"),
    ("xu.li", "徐丽", "Xu Li", "rep", "sales", "team-gov"),
    ("guo.qiang", "郭强", "Guo Qiang", "rep", "sales", "team-gov"),
    ("feng.tao", "冯涛", "Feng Tao", "rep", "presales", "team-east"),
    ("li.si", "李四", "Li Si", "rep", "presales", "team-east"),
    ("lin.hui", "林慧", "Lin Hui", "rep", "delivery", "team-east"),
    ("tang.yu", "唐宇", "Tang Yu", "rep", "legal", "team-east"),
)

EMAIL_DOMAIN = "northstar.example"

# --- what we sell --------------------------------------------------------------------------------

PRODUCTS: tuple[tuple[str, str, str, str, int], ...] = (
    # sku, name_zh, name_en, category, list price (CNY)
    ("5G-CORE-S", "5G 专网核心网（标准版）", "5G Private Core (Standard)", "5g", 680000),
    ("5G-CORE-E", "5G 专网核心网（企业版）", "5G Private Core (Enterprise)", "5g", 1280000),
    ("5G-BBU", "5G 基带单元", "5G Baseband Unit", "5g", 86000),
    ("5G-RRU", "5G 射频拉远单元", "5G Remote Radio Unit", "5g", 32000),
    ("5G-SCELL", "5G 室内小站", "5G Indoor Small Cell", "5g", 12800),
    ("SDW-EDGE-S", "SD-WAN 边缘网关（小型）", "SD-WAN Edge Gateway S", "sdwan", 6800),
    ("SDW-EDGE-M", "SD-WAN 边缘网关（中型）", "SD-WAN Edge Gateway M", "sdwan", 18800),
    ("SDW-CTRL", "SD-WAN 控制器", "SD-WAN Controller", "sdwan", 158000),
    ("SDW-LIC-Y", "SD-WAN 年度订阅（每站点）", "SD-WAN Annual Subscription (per site)", "sdwan", 2400),
    ("SW-CORE", "核心交换机", "Core Switch", "switching", 98000),
    ("SW-ACC48", "48 口接入交换机", "48-port Access Switch", "switching", 7600),
    ("SW-IND", "工业以太网交换机", "Industrial Ethernet Switch", "switching", 9800),
    ("WIFI-AP6", "Wi-Fi 6 无线接入点", "Wi-Fi 6 Access Point", "wireless", 2600),
    ("WIFI-AC", "无线控制器", "Wireless Controller", "wireless", 46000),
    ("IOT-GW", "工业物联网网关", "Industrial IoT Gateway", "iot", 5800),
    ("IOT-SAAS-Y", "工业物联网平台年度订阅", "Industrial IoT Platform Annual Subscription", "iot", 120000),
    ("IOT-SENSOR", "无线传感器套件", "Wireless Sensor Kit", "iot", 1200),
    ("SVC-DEPLOY", "部署实施服务（人天）", "Deployment Service (person-day)", "services", 3200),
    ("SVC-SUPPORT", "原厂维保服务（年）", "Premium Support (annual)", "services", 36000),
    ("SVC-TRAIN", "培训服务（每期）", "Training Course (per session)", "services", 15000),
)

# Which product categories each industry tends to buy (order lines and deal products draw from these).
INDUSTRY_CATEGORIES: dict[str, tuple[str, ...]] = {
    "manufacturing": ("switching", "iot", "5g", "services", "wireless"),
    "saas": ("sdwan", "switching", "services", "wireless"),
    "retail": ("sdwan", "wireless", "services", "switching"),
    "healthcare": ("wireless", "switching", "sdwan", "services"),
    "public_sector": ("switching", "wireless", "5g", "services", "sdwan"),
    "telecom": ("5g", "switching", "sdwan", "services"),
    "finance": ("sdwan", "switching", "services", "wireless"),
    "logistics": ("iot", "sdwan", "wireless", "services"),
}

INDUSTRIES: tuple[str, ...] = tuple(INDUSTRY_CATEGORIES)

# --- competitors (all fictional). Chinese ones carry both names, so a brief reads in either language.

COMPETITORS: tuple[str, ...] = ("凌云通信 / Lingyun Comm", "Apex Networks", "星河科技 / Galaxy Tech", "Vertex Systems")
SIGNAL_SOURCES: tuple[str, ...] = ("news", "social", "sales_note", "tender", "customer_mention")

# --- name parts for random Chinese accounts -------------------------------------------------------

BRAND_HEADS: tuple[tuple[str, str], ...] = (
    ("华", "Hua"), ("宏", "Hong"), ("恒", "Heng"), ("瑞", "Rui"), ("金", "Jin"), ("天", "Tian"),
    ("永", "Yong"), ("盛", "Sheng"), ("远", "Yuan"), ("博", "Bo"), ("新", "Xin"), ("嘉", "Jia"),
    ("海", "Hai"), ("明", "Ming"), ("凯", "Kai"), ("立", "Li"), ("安", "An"), ("鼎", "Ding"),
    ("汇", "Hui"), ("中", "Zhong"),
)
BRAND_TAILS: tuple[tuple[str, str], ...] = (
    ("鑫", "xin"), ("达", "da"), ("通", "tong"), ("丰", "feng"), ("桥", "qiao"), ("诚", "cheng"),
    ("泰", "tai"), ("航", "hang"), ("源", "yuan"), ("禾", "he"), ("纳", "na"), ("德", "de"),
    ("信", "xin"), ("宇", "yu"), ("辰", "chen"), ("联", "lian"), ("利", "li"), ("创", "chuang"),
)

CITIES_BY_REGION: dict[str, tuple[tuple[str, str], ...]] = {
    "east_china": (("上海", "Shanghai"), ("苏州", "Suzhou"), ("宁波", "Ningbo"), ("合肥", "Hefei"),
                   ("无锡", "Wuxi"), ("温州", "Wenzhou"), ("济南", "Jinan"), ("青岛", "Qingdao")),
    "south_china": (("广州", "Guangzhou"), ("深圳", "Shenzhen"), ("佛山", "Foshan"), ("东莞", "Dongguan"),
                    ("厦门", "Xiamen"), ("福州", "Fuzhou"), ("南宁", "Nanning"), ("珠海", "Zhuhai")),
    "north_china": (("北京", "Beijing"), ("天津", "Tianjin"), ("石家庄", "Shijiazhuang"), ("太原", "Taiyuan")),
    "central_china": (("武汉", "Wuhan"), ("长沙", "Changsha"), ("郑州", "Zhengzhou"), ("南昌", "Nanchang")),
    "west_china": (("成都", "Chengdu"), ("重庆", "Chongqing"), ("西安", "Xi'an"), ("昆明", "Kunming")),
}

# industry -> (zh suffix, en suffix) choices for company names
ZH_SUFFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "manufacturing": (("精密制造", "Precision Manufacturing"), ("机械", "Machinery"),
                      ("汽车零部件", "Auto Parts"), ("电子", "Electronics"), ("新材料", "Advanced Materials")),
    "saas": (("软件", "Software"), ("云计算", "Cloud"), ("数据服务", "Data Services")),
    "retail": (("连锁超市", "Supermarkets"), ("百货", "Department Stores"), ("便利店", "Convenience Stores"),
               ("商贸", "Trading")),
    "healthcare": (("医疗器械", "Medical Devices"), ("生物医药", "Biopharma"), ("医疗集团", "Healthcare Group")),
    "telecom": (("通信", "Communications"), ("广电网络", "Cable TV"), ("信息技术", "Information Technology")),
    "finance": (("农商银行", "Rural Commercial Bank"), ("证券", "Securities"), ("保险", "Insurance")),
    "logistics": (("物流", "Logistics"), ("供应链", "Supply Chain"), ("冷链", "Cold Chain")),
}
# Public-sector accounts are named after a city and a bureau, not a brand.
GOV_BUREAUS: tuple[tuple[str, str], ...] = (
    ("交通运输局", "Transport Bureau"), ("教育局", "Education Bureau"), ("水务集团", "Water Group"),
    ("政务服务中心", "Government Service Center"), ("卫生健康委员会", "Health Commission"),
    ("应急管理局", "Emergency Management Bureau"), ("人民医院", "People's Hospital"),
    ("市场监督管理局", "Market Regulation Bureau"),
)

# --- name parts for random international accounts -------------------------------------------------

INTL_BRANDS: tuple[tuple[str, str], ...] = (
    ("Summit", "顶峰"), ("Redwood", "红杉"), ("Ironbridge", "铁桥"), ("Silverline", "银线"),
    ("Harbor", "港湾"), ("Crescent", "新月"), ("Meridian", "子午"), ("Oakridge", "橡树岭"),
    ("Clearview", "清景"), ("Brightpath", "明途"), ("Sterling", "斯特林"), ("Keystone", "基石"),
    ("Evergreen", "长青"), ("Lakeside", "湖畔"), ("Falcon", "猎鹰"), ("Orion", "猎户"),
    ("Cobalt", "钴蓝"), ("Granite", "花岗"), ("Beacon", "灯塔"), ("Horizon", "地平线"),
    ("Atlas", "阿特拉斯"), ("Zenith", "天顶"), ("Vantage", "优势"), ("Cedar", "雪松"),
    ("Maple", "枫叶"), ("Bluewave", "蓝波"), ("Riverton", "河屯"), ("Sapphire", "蓝宝石"),
    ("Coral", "珊瑚"), ("Aurora", "极光"), ("Pioneer", "先锋"), ("Trident", "三叉戟"),
    ("Nordic Pine", "北欧松"), ("Sandstone", "砂岩"), ("Westgate", "西门"), ("Kingsbridge", "王桥"),
    ("Lighthouse", "航灯"), ("Solstice", "至日"), ("Monarch", "君主"), ("Tidewater", "潮水"),
    ("Highland", "高地"), ("Starling", "椋鸟"), ("Copperfield", "铜原"), ("Bayview", "湾景"),
    ("Ridgeway", "山脊"), ("Fairmont", "美山"), ("Silverlake", "银湖"), ("Driftwood", "浮木"),
)
EN_SUFFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "manufacturing": (("Manufacturing", "制造"), ("Industries", "工业"), ("Components", "零部件")),
    "saas": (("Software", "软件"), ("Cloud", "云")),
    "retail": (("Retail Group", "零售集团"), ("Stores", "商店"), ("Foods", "食品")),
    "healthcare": (("Health", "医疗"), ("Medical", "医学")),
    "telecom": (("Telecom", "电信"), ("Mobile", "移动")),
    "finance": (("Bank", "银行"), ("Capital", "资本"), ("Insurance", "保险")),
    "logistics": (("Logistics", "物流"), ("Freight", "货运"), ("Shipping", "航运")),
    "public_sector": (("Port Authority", "港务局"), ("Transit Authority", "交通局"), ("Utilities", "公用事业")),
}
INTL_COUNTRIES: tuple[tuple[str, str], ...] = (
    ("SG", "apac"), ("MY", "apac"), ("TH", "apac"), ("ID", "apac"), ("VN", "apac"), ("AU", "apac"),
    ("JP", "apac"), ("AE", "emea"), ("SA", "emea"), ("DE", "emea"), ("GB", "emea"), ("FR", "emea"),
    ("US", "americas"), ("BR", "americas"), ("MX", "americas"),
)

# --- people at customers --------------------------------------------------------------------------

ZH_SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("高", "Gao"),
    ("林", "Lin"), ("罗", "Luo"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
    ("唐", "Tang"), ("许", "Xu"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"),
)
ZH_GIVEN: tuple[tuple[str, str], ...] = (
    ("建国", "Jianguo"), ("海涛", "Haitao"), ("晓明", "Xiaoming"), ("丽华", "Lihua"), ("志强", "Zhiqiang"),
    ("秀英", "Xiuying"), ("文博", "Wenbo"), ("雪梅", "Xuemei"), ("国栋", "Guodong"), ("静怡", "Jingyi"),
    ("子轩", "Zixuan"), ("梓涵", "Zihan"), ("浩然", "Haoran"), ("欣怡", "Xinyi"), ("俊杰", "Junjie"),
    ("佳琪", "Jiaqi"), ("宇航", "Yuhang"), ("婷婷", "Tingting"), ("明辉", "Minghui"), ("红霞", "Hongxia"),
    ("振华", "Zhenhua"), ("春燕", "Chunyan"), ("立新", "Lixin"), ("淑芬", "Shufen"), ("永刚", "Yonggang"),
    ("慧敏", "Huimin"), ("鹏飞", "Pengfei"), ("晓燕", "Xiaoyan"), ("德明", "Deming"), ("玉兰", "Yulan"),
)
EN_FIRST: tuple[str, ...] = (
    "James", "Olivia", "Liam", "Emma", "Noah", "Ava", "Lucas", "Sophia", "Ethan", "Mia", "Daniel",
    "Chloe", "Henry", "Grace", "Samuel", "Hannah", "Oscar", "Leah", "Mateo", "Priya", "Arjun", "Aisha",
    "Kenji", "Yuki", "Lukas", "Anna", "Rafael", "Sofia", "Omar", "Nadia", "Thomas", "Claire",
)
EN_LAST: tuple[str, ...] = (
    "Miller", "Johnson", "Brown", "Davis", "Wilson", "Taylor", "Anderson", "Thomas", "Moore", "Martin",
    "Clark", "Lewis", "Walker", "Young", "Hall", "Allen", "Wright", "Scott", "Green", "Baker", "Nakamura",
    "Tanaka", "Schmidt", "Weber", "Fischer", "Silva", "Santos", "Haddad", "Rahman", "Kumar", "Tan", "Lim",
)

# committee role -> (zh titles, en titles)
TITLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "economic_buyer": (("总经理", "副总裁", "董事长"), ("CEO", "COO", "VP Operations")),
    "technical_buyer": (("信息中心主任", "IT 总监", "CTO"), ("CIO", "IT Director", "CTO")),
    "champion": (("网络部经理", "数字化负责人"), ("Network Manager", "Head of Digital")),
    "user": (("生产部经理", "运维主管", "门店运营经理"), ("Operations Manager", "IT Operations Lead", "Plant Manager")),
    "influencer": (("总工程师", "安全部经理"), ("Chief Engineer", "Security Manager")),
    "gatekeeper": (("采购经理", "招标办主任"), ("Procurement Manager", "Sourcing Lead")),
    "legal": (("法务经理",), ("Legal Counsel",)),
    "finance": (("财务总监", "财务经理"), ("CFO", "Finance Manager")),
}
# After the economic and technical buyer, the other contacts' roles are drawn from these.
OTHER_ROLES: tuple[str, ...] = ("champion", "user", "user", "influencer", "gatekeeper", "finance", "legal")

# --- deals ---------------------------------------------------------------------------------------

# (zh template, en template) -- {brand} is the account's short name in each language.
DEAL_NAMES: tuple[tuple[str, str], ...] = (
    ("{brand} 园区网络升级", "{brand} Campus Network Upgrade"),
    ("{brand} SD-WAN 改造", "{brand} SD-WAN Migration"),
    ("{brand} 无线覆盖二期", "{brand} Wireless Coverage Phase 2"),
    ("{brand} 工业物联网平台", "{brand} Industrial IoT Platform"),
    ("{brand} 数据中心交换网络", "{brand} Data Center Switching"),
    ("{brand} 分支互联项目", "{brand} Branch Connectivity"),
    ("{brand} 维保续约", "{brand} Support Renewal"),
    ("{brand} 智能仓储网络", "{brand} Smart Warehouse Network"),
)

# --- activity text ---------------------------------------------------------------------------------
# kind -> list of (subject zh, summary zh, subject en, summary en). Placeholders: {contact}, {product}.
ACTIVITY_TEXT: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "visit": (
        ("拜访客户", "拜访{contact}，了解明年网络规划，对{product}有兴趣。",
         "Customer visit", "Visited {contact} to discuss next year's network plan; interested in {product}."),
        ("现场勘测", "与{contact}一起现场勘测机房和布线条件。",
         "Site survey", "Site survey of the equipment room and cabling with {contact}."),
        ("季度回访", "季度回访{contact}，设备运行稳定，客户满意。",
         "Quarterly visit", "Quarterly check-in with {contact}; equipment stable, customer satisfied."),
    ),
    "call": (
        ("电话沟通", "与{contact}电话确认{product}的交付时间。",
         "Phone call", "Called {contact} to confirm the delivery date for {product}."),
        ("需求澄清", "电话澄清需求细节，{contact}将在下周提供站点清单。",
         "Requirements call", "Clarified requirements; {contact} will send the site list next week."),
        ("跟进报价", "跟进报价反馈，{contact}表示正在内部比较。",
         "Quote follow-up", "Followed up on the quote; {contact} is comparing options internally."),
    ),
    "email": (
        ("发送方案", "向{contact}发送{product}技术方案和参考配置。",
         "Proposal sent", "Sent {contact} the technical proposal and reference design for {product}."),
        ("发送报价", "向{contact}发送更新后的报价单。",
         "Quote sent", "Sent {contact} the updated quotation."),
        ("会议纪要", "发送会议纪要和下一步计划给{contact}。",
         "Meeting notes", "Sent meeting notes and next steps to {contact}."),
    ),
    "meeting": (
        ("技术交流会", "与{contact}团队开技术交流会，演示{product}。",
         "Technical workshop", "Technical workshop with {contact}'s team; demoed {product}."),
        ("方案评审", "参加客户方案评审会，{contact}对架构基本认可。",
         "Design review", "Joined the customer's design review; {contact} broadly accepted the architecture."),
        ("商务会谈", "与{contact}讨论付款方式和交付计划。",
         "Commercial meeting", "Discussed payment terms and the delivery plan with {contact}."),
    ),
    "note": (
        ("内部备注", "客户组织架构调整，{contact}负责网络采购。",
         "Internal note", "Customer reorganised; {contact} now owns network purchasing."),
        ("客户动态", "客户计划新建生产线，可能需要{product}。",
         "Account news", "Customer plans a new line/site; may need {product}."),
        ("回款情况", "上季度发票已全部回款。",
         "Payments", "Last quarter's invoices are fully paid."),
    ),
    "task": (
        ("准备报价", "为{contact}准备{product}报价。", "Prepare quote", "Prepare a {product} quote for {contact}."),
        ("安排演示", "与{contact}约定演示时间。", "Schedule demo", "Schedule a demo with {contact}."),
        ("发送案例", "给{contact}发送同行业成功案例。", "Send case study", "Send {contact} a customer case study."),
    ),
}

# competitor signal notes: (zh, en); {competitor} is the competitor's name.
SIGNAL_NOTES: tuple[tuple[str, str], ...] = (
    ("客户提到{competitor}报价更低。", "Customer mentioned a lower quote from {competitor}."),
    ("{competitor}在客户处做了产品演示。", "{competitor} gave the customer a product demo."),
    ("招标文件中出现{competitor}的参数倾向。", "The tender spec leans towards {competitor}'s parameters."),
    ("{competitor}销售近期频繁拜访客户。", "{competitor}'s sales team has been visiting the customer often."),
    ("行业新闻：{competitor}签约同城同行客户。", "News: {competitor} signed a peer company in the same city."),
)
