import { View, Text } from '@tarojs/components';
import campaignJson from '../../../../templates/campaign.json';
import './index.scss';

/**
 * Who handles the data and how to reach them (PIPL art. 17), from templates/campaign.json
 * `operator`. Release builds refuse a placeholder there (config/operator-contact.ts).
 */
const { operator } = campaignJson as { operator: { name: string; email: string; phone?: string; address?: string } };
const CONTACT_LINES = [
  `活动运营方：${operator.name}`,
  `邮箱：${operator.email}`,
  ...(operator.phone ? [`电话：${operator.phone}`] : []),
  ...(operator.address ? [`地址：${operator.address}`] : []),
];

const SECTIONS: Array<[string, string[]]> = [
  ['我们收集什么', ['你上传的一张照片。', '从照片中分析出的脸部数据（位置、轮廓关键点）。', '生成的漫画、海报，以及你的授权记录（版本、时间、年龄段）。', '一个匿名的用户标识，不保存你的微信号或 OpenID 原文。']],
  ['为什么收集', ['只为把你的脸画进「我的深圳故事」八段漫画，并生成你可以保存和分享的海报。不用于人脸识别、身份验证、广告或其他用途。']],
  ['保存多久', ['原照片：分析完成后立即删除。', `脸部数据：八个故事画完即删除，最迟 ${campaignJson.retentionMinutes} 分钟后自动删除。`, '漫画和海报：保留到你删除为止。']],
  ['谁能看到', ['你的漫画和海报只有你能看到；你主动分享后，拿到分享链接或扫到海报二维码的人可以看到那一张海报。', '所有画面都标注「AI合成」。']],
  ['怎么删除', ['在「我的故事」页面点「删除我的数据」，你的照片、脸部数据、漫画、海报和分享链接会被全部删除，分享出去的海报也会失效。']],
  ['未满 14 周岁', ['未满 14 周岁的朋友，请在监护人阅读并同意后再使用。']],
  ['联系我们', ['对本政策有疑问，或要查阅、更正、删除你的信息，请联系：', ...CONTACT_LINES]],
];

/** The privacy policy, short and in plain Chinese. */
export default function PrivacyPage() {
  return (
    <View className='page privacy'>
      <Text className='h1'>隐私政策</Text>
      <Text className='lead'>{`「${campaignJson.title}」如何处理你的个人信息。版本 ${campaignJson.consentVersion}`}</Text>
      {SECTIONS.map(([title, lines]) => (
        <View className='panel privacy__section' key={title}>
          <Text className='panel__title'>{title}</Text>
          {lines.map((line) => (
            <Text className='privacy__line' key={line} id={line === CONTACT_LINES[1] ? 'privacy-email' : undefined}>
              {line}
            </Text>
          ))}
        </View>
      ))}
    </View>
  );
}
