// The services the demo's partners publish for their sites (Shaanxi art. 17): per lot, the
// catalogue of the lot's first, second and third selected partner. Prices in yuan; the group
// prices are what model workers and craftsmen, workers in hardship, union members and all other
// workers pay; `places` a month, of which the partner sets the free and discounted share from
// its bid (scripts/demo-partnerships.ts).

export interface OfferTemplate {
  service: string;
  openingHours: string;
  procedure: string;
  listPrice: number;
  prices: { modelWorker: number; hardship: number; unionMember: number; allWorkers: number };
  places: number;
}

/** The offer as published: of its places a month, at least the bid's share free or discounted (about 60% of them free). */
export function offerFor({ places, ...template }: OfferTemplate, bidShare: number) {
  const benefit = Math.ceil((places * bidShare) / 100);
  const freePlaces = Math.ceil(benefit * 0.6);
  return { ...template, placesPerMonth: places, freePlaces, discountedPlaces: benefit - freePlaces };
}

export const LOT_OFFERS: Record<string, OfferTemplate[][]> = {
  'performing-arts': [
    [
      {
        service: '职工合唱团公益培训（每周二、四晚）',
        openingHours: '每周二、周四 19:00–21:00',
        procedure: '在服务阵地小程序或前台报名，凭工会会员证或职工证明登记，按班次参加；每期 8 周。',
        listPrice: 120,
        prices: { modelWorker: 0, hardship: 0, unionMember: 60, allWorkers: 96 },
        places: 24,
      },
      {
        service: '周末职工公益音乐会',
        openingHours: '每月第二、第四个周六 14:30–16:30',
        procedure: '演出前一周在线预约座位，凭预约码和工会会员证入场；免费座位优先安排劳模工匠和困难职工。',
        listPrice: 80,
        prices: { modelWorker: 0, hardship: 0, unionMember: 30, allWorkers: 50 },
        places: 40,
      },
    ],
    [
      {
        service: '民乐器乐培训（二胡、古筝、笛子）',
        openingHours: '周三至周日 9:00–17:00',
        procedure: '前台或电话预约试听课，确定班次后登记；凭职工证明享受相应价格，每期 12 课时。',
        listPrice: 150,
        prices: { modelWorker: 0, hardship: 0, unionMember: 75, allWorkers: 120 },
        places: 20,
      },
      {
        service: '职工民乐团排练指导',
        openingHours: '每周六 9:00–11:30',
        procedure: '以企业工会为单位申请，提前两周约定曲目和时间，由艺术指导到阵地排练厅授课。',
        listPrice: 300,
        prices: { modelWorker: 0, hardship: 0, unionMember: 150, allWorkers: 240 },
        places: 8,
      },
    ],
    [
      {
        service: '职工舞蹈与形体公益课',
        openingHours: '周一至周五 18:30–20:30，周六 9:30–11:30',
        procedure: '在线报名后到前台确认，首次上课须完成健康告知；缺课两次以上的名额让给候补职工。',
        listPrice: 100,
        prices: { modelWorker: 0, hardship: 0, unionMember: 50, allWorkers: 80 },
        places: 30,
      },
    ],
  ],
  sports: [
    [
      {
        service: '羽毛球场地开放',
        openingHours: '每日 8:00–21:00（周一上午场地维护）',
        procedure: '提前三天在线预约场地（每次 1 小时），凭预约码和职工证明入场，球拍可免费借用。',
        listPrice: 60,
        prices: { modelWorker: 0, hardship: 0, unionMember: 30, allWorkers: 45 },
        places: 40,
      },
      {
        service: '职工羽毛球公益培训',
        openingHours: '每周三、周五 19:00–20:30',
        procedure: '按期报名，每期 10 次课，由国家二级运动员执教；结业后可参加职工联赛。',
        listPrice: 200,
        prices: { modelWorker: 0, hardship: 0, unionMember: 100, allWorkers: 160 },
        places: 16,
      },
      {
        service: '职工羽毛球联赛组织',
        openingHours: '每季度一届，赛期周末 9:00–17:00',
        procedure: '以企业工会为单位组队报名，赛前一个月截止报名，赛程在服务阵地公示栏和网站公布。',
        listPrice: 500,
        prices: { modelWorker: 0, hardship: 0, unionMember: 200, allWorkers: 400 },
        places: 4,
      },
    ],
    [
      {
        service: '职工健身房开放及健身指导',
        openingHours: '周一至周日 6:30–22:00',
        procedure: '首次到前台办理体测和登记，凭职工证明按次或按月使用；社会体育指导员每日 18:00–21:00 在场指导。',
        listPrice: 40,
        prices: { modelWorker: 0, hardship: 0, unionMember: 20, allWorkers: 30 },
        places: 50,
      },
    ],
  ],
  'event-planning': [
    [
      {
        service: '劳模工匠进企业宣讲活动',
        openingHours: '工作日 9:00–17:00（提前预约）',
        procedure: '企业工会提交申请，说明职工人数和主题，两周内安排劳模工匠和讲解员到场宣讲。',
        listPrice: 2000,
        prices: { modelWorker: 0, hardship: 0, unionMember: 800, allWorkers: 1500 },
        places: 4,
      },
      {
        service: '职工心理关爱工作坊',
        openingHours: '每周六 14:00–16:30',
        procedure: '在线报名并填写需求问卷，由持证心理咨询师带领小组活动；个人信息严格保密。',
        listPrice: 150,
        prices: { modelWorker: 0, hardship: 0, unionMember: 60, allWorkers: 120 },
        places: 20,
      },
    ],
    [
      {
        service: '节日慰问与职工亲子公益活动',
        openingHours: '法定节日前两周的周末 9:00–16:00',
        procedure: '关注服务阵地公众号获取活动预告，按场次报名，困难职工家庭由所在工会推荐优先参加。',
        listPrice: 100,
        prices: { modelWorker: 0, hardship: 0, unionMember: 40, allWorkers: 80 },
        places: 30,
      },
    ],
  ],
};
