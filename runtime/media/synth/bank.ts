// The sentence bank: a small parallel corpus in the seven languages the generator speaks. Sentence k
// means the same thing in every language (it is the "translation" step of the paper's Section 6
// pipeline), and each sentence contains exactly one keyword, so `keyword` probes semantic speech.
// Japanese is written in kana with spaces between phrases: eSpeak NG reads kana, not kanji.

export const LANGS = ['en', 'es', 'fr', 'ja', 'de', 'it', 'ko'] as const;
export type SynthLang = (typeof LANGS)[number];

/** ISO 639-1 → ISO 639-2/T, as written into the container's `language` tags. */
export const ISO639_2: Record<SynthLang, string> = { en: 'eng', es: 'spa', fr: 'fra', ja: 'jpn', de: 'deu', it: 'ita', ko: 'kor' };

/** eSpeak NG voice per language (variants such as `+f2` are appended per speaker). */
export const ESPEAK_VOICE: Record<SynthLang, string> = { en: 'en-us', es: 'es', fr: 'fr', ja: 'ja', de: 'de', it: 'it', ko: 'ko' };

export const isSynthLang = (l: string): l is SynthLang => (LANGS as readonly string[]).includes(l);

type Row = Record<SynthLang, string>;

export const KEYWORDS: { id: string; word: Row; sentences: Row[] }[] = [
  {
    id: 'water',
    word: { en: 'water', es: 'agua', fr: 'eau', ja: 'みず', de: 'Wasser', it: 'acqua', ko: '물' },
    sentences: [
      { en: 'Could you bring me some water?', es: '¿Me traes un poco de agua?', fr: "Tu peux m'apporter de l'eau ?", ja: 'みずを もって きて くれる?', de: 'Bringst du mir etwas Wasser?', it: "Mi porti un po' d'acqua?", ko: '물 좀 가져다 줄래요?' },
      { en: 'The water is too cold today.', es: 'El agua está muy fría hoy.', fr: "L'eau est trop froide aujourd'hui.", ja: 'きょうは みずが つめたすぎる。', de: 'Das Wasser ist heute zu kalt.', it: "L'acqua è troppo fredda oggi.", ko: '오늘은 물이 너무 차가워요.' },
      { en: 'We need more water for the trip.', es: 'Necesitamos más agua para el viaje.', fr: "Il nous faut plus d'eau pour le voyage.", ja: 'たびには もっと みずが ひつようだ。', de: 'Wir brauchen mehr Wasser für die Reise.', it: 'Ci serve più acqua per il viaggio.', ko: '여행에는 물이 더 필요해요.' },
    ],
  },
  {
    id: 'door',
    word: { en: 'door', es: 'puerta', fr: 'porte', ja: 'ドア', de: 'Tür', it: 'porta', ko: '문' },
    sentences: [
      { en: 'Please close the door behind you.', es: 'Por favor, cierra la puerta al salir.', fr: "Ferme la porte derrière toi, s'il te plaît.", ja: 'うしろの ドアを しめて ください。', de: 'Bitte mach die Tür hinter dir zu.', it: 'Chiudi la porta dietro di te, per favore.', ko: '뒤에 있는 문을 닫아 주세요.' },
      { en: 'Someone is knocking at the door.', es: 'Alguien está llamando a la puerta.', fr: "Quelqu'un frappe à la porte.", ja: 'だれかが ドアを たたいて いる。', de: 'Jemand klopft an die Tür.', it: 'Qualcuno bussa alla porta.', ko: '누가 문을 두드리고 있어요.' },
      { en: 'I left the door open again.', es: 'Dejé la puerta abierta otra vez.', fr: "J'ai encore laissé la porte ouverte.", ja: 'また ドアを あけた ままに した。', de: 'Ich habe die Tür wieder offen gelassen.', it: 'Ho lasciato di nuovo la porta aperta.', ko: '또 문을 열어 두었어요.' },
    ],
  },
  {
    id: 'train',
    word: { en: 'train', es: 'tren', fr: 'train', ja: 'でんしゃ', de: 'Zug', it: 'treno', ko: '기차' },
    sentences: [
      { en: 'The train leaves in ten minutes.', es: 'El tren sale en diez minutos.', fr: 'Le train part dans dix minutes.', ja: 'でんしゃは じゅっぷんごに でます。', de: 'Der Zug fährt in zehn Minuten ab.', it: 'Il treno parte tra dieci minuti.', ko: '기차는 십 분 후에 떠나요.' },
      { en: 'We missed the last train home.', es: 'Perdimos el último tren a casa.', fr: 'Nous avons raté le dernier train.', ja: 'さいごの でんしゃに のりおくれた。', de: 'Wir haben den letzten Zug verpasst.', it: "Abbiamo perso l'ultimo treno.", ko: '우리는 마지막 기차를 놓쳤어요.' },
      { en: 'Is this the train to the city?', es: '¿Es este el tren a la ciudad?', fr: "C'est bien le train pour la ville ?", ja: 'これは まちへ いく でんしゃですか?', de: 'Ist das der Zug in die Stadt?', it: 'È questo il treno per la città?', ko: '이게 시내로 가는 기차예요?' },
    ],
  },
  {
    id: 'dog',
    word: { en: 'dog', es: 'perro', fr: 'chien', ja: 'いぬ', de: 'Hund', it: 'cane', ko: '개' },
    sentences: [
      { en: 'My dog loves the park.', es: 'A mi perro le encanta el parque.', fr: 'Mon chien adore le parc.', ja: 'わたしの いぬは こうえんが だいすきです。', de: 'Mein Hund liebt den Park.', it: 'Il mio cane adora il parco.', ko: '우리 개는 공원을 좋아해요.' },
      { en: 'Did you feed the dog this morning?', es: '¿Le diste de comer al perro esta mañana?', fr: 'Tu as nourri le chien ce matin ?', ja: 'けさ いぬに えさを あげた?', de: 'Hast du heute Morgen den Hund gefüttert?', it: 'Hai dato da mangiare al cane stamattina?', ko: '오늘 아침에 개한테 밥 줬어요?' },
      { en: 'A big dog is sleeping outside.', es: 'Un perro grande duerme afuera.', fr: 'Un gros chien dort dehors.', ja: 'おおきな いぬが そとで ねて いる。', de: 'Ein großer Hund schläft draußen.', it: 'Un grosso cane dorme fuori.', ko: '큰 개가 밖에서 자고 있어요.' },
    ],
  },
  {
    id: 'money',
    word: { en: 'money', es: 'dinero', fr: 'argent', ja: 'おかね', de: 'Geld', it: 'soldi', ko: '돈' },
    sentences: [
      { en: "I don't have any money left.", es: 'No me queda nada de dinero.', fr: "Il ne me reste plus d'argent.", ja: 'もう おかねが ぜんぜん ない。', de: 'Ich habe kein Geld mehr.', it: 'Non mi sono rimasti soldi.', ko: '이제 돈이 하나도 없어요.' },
      { en: 'He gave all the money back.', es: 'Él devolvió todo el dinero.', fr: "Il a rendu tout l'argent.", ja: 'かれは おかねを ぜんぶ かえした。', de: 'Er hat das ganze Geld zurückgegeben.', it: 'Ha restituito tutti i soldi.', ko: '그는 돈을 전부 돌려줬어요.' },
      { en: 'Where did you hide the money?', es: '¿Dónde escondiste el dinero?', fr: "Où as-tu caché l'argent ?", ja: 'おかねを どこに かくしたの?', de: 'Wo hast du das Geld versteckt?', it: 'Dove hai nascosto i soldi?', ko: '돈을 어디에 숨겼어요?' },
    ],
  },
  {
    id: 'night',
    word: { en: 'night', es: 'noche', fr: 'nuit', ja: 'よる', de: 'Nacht', it: 'notte', ko: '밤' },
    sentences: [
      { en: 'It was a long and quiet night.', es: 'Fue una noche larga y tranquila.', fr: 'Ce fut une nuit longue et calme.', ja: 'ながくて しずかな よるだった。', de: 'Es war eine lange, ruhige Nacht.', it: 'È stata una notte lunga e tranquilla.', ko: '길고 조용한 밤이었어요.' },
      { en: 'We will leave tomorrow night.', es: 'Nos iremos mañana por la noche.', fr: 'Nous partirons demain dans la nuit.', ja: 'あしたの よる しゅっぱつ します。', de: 'Wir fahren morgen Nacht los.', it: 'Partiremo domani notte.', ko: '우리는 내일 밤에 떠날 거예요.' },
      { en: 'I could not sleep last night.', es: 'No pude dormir en toda la noche.', fr: "Je n'ai pas dormi de la nuit.", ja: 'よるは ぜんぜん ねむれなかった。', de: 'Ich konnte letzte Nacht nicht schlafen.', it: 'Non ho dormito tutta la notte.', ko: '어젯밤에 잠을 못 잤어요.' },
    ],
  },
  {
    id: 'coffee',
    word: { en: 'coffee', es: 'café', fr: 'café', ja: 'コーヒー', de: 'Kaffee', it: 'caffè', ko: '커피' },
    sentences: [
      { en: "Let's get a cup of coffee.", es: 'Vamos a tomar un café.', fr: 'Allons prendre un café.', ja: 'コーヒーを のみに いこう。', de: 'Lass uns einen Kaffee trinken.', it: 'Andiamo a prendere un caffè.', ko: '커피 한 잔 마시러 가요.' },
      { en: 'This coffee is far too sweet.', es: 'Este café está demasiado dulce.', fr: 'Ce café est beaucoup trop sucré.', ja: 'この コーヒーは あますぎる。', de: 'Dieser Kaffee ist viel zu süß.', it: 'Questo caffè è troppo dolce.', ko: '이 커피는 너무 달아요.' },
      { en: 'She makes coffee every morning.', es: 'Ella prepara café cada mañana.', fr: 'Elle fait du café chaque matin.', ja: 'かのじょは まいあさ コーヒーを いれる。', de: 'Sie kocht jeden Morgen Kaffee.', it: 'Lei prepara il caffè ogni mattina.', ko: '그녀는 매일 아침 커피를 만들어요.' },
    ],
  },
  {
    id: 'phone',
    word: { en: 'phone', es: 'teléfono', fr: 'téléphone', ja: 'でんわ', de: 'Telefon', it: 'telefono', ko: '전화' },
    sentences: [
      { en: 'Your phone is ringing again.', es: 'Tu teléfono está sonando otra vez.', fr: 'Ton téléphone sonne encore.', ja: 'また あなたの でんわが なって いる。', de: 'Dein Telefon klingelt schon wieder.', it: 'Il tuo telefono squilla di nuovo.', ko: '또 전화가 울리고 있어요.' },
      { en: 'I will call you on the phone.', es: 'Te llamaré por teléfono.', fr: "Je t'appellerai au téléphone.", ja: 'あとで でんわ するね。', de: 'Ich rufe dich am Telefon an.', it: 'Ti chiamo al telefono.', ko: '나중에 전화할게요.' },
      { en: 'I lost my phone in the taxi.', es: 'Perdí mi teléfono en el taxi.', fr: "J'ai perdu mon téléphone dans le taxi.", ja: 'タクシーで でんわを なくした。', de: 'Ich habe mein Telefon im Taxi verloren.', it: 'Ho perso il telefono nel taxi.', ko: '택시에서 전화를 잃어버렸어요.' },
    ],
  },
  {
    id: 'doctor',
    word: { en: 'doctor', es: 'médico', fr: 'médecin', ja: 'いしゃ', de: 'Arzt', it: 'dottore', ko: '의사' },
    sentences: [
      { en: 'We should call a doctor now.', es: 'Deberíamos llamar a un médico ahora.', fr: 'On devrait appeler un médecin maintenant.', ja: 'いますぐ いしゃを よぶべきだ。', de: 'Wir sollten jetzt einen Arzt rufen.', it: 'Dovremmo chiamare un dottore adesso.', ko: '지금 의사를 불러야 해요.' },
      { en: 'The doctor will see you soon.', es: 'El médico lo atenderá pronto.', fr: 'Le médecin va vous recevoir bientôt.', ja: 'いしゃが すぐに みて くれます。', de: 'Der Arzt kommt gleich zu Ihnen.', it: 'Il dottore la riceverà presto.', ko: '의사가 곧 진료해 줄 거예요.' },
      { en: 'My brother is a doctor in the city.', es: 'Mi hermano es médico en la ciudad.', fr: 'Mon frère est médecin en ville.', ja: 'あには まちで いしゃを して いる。', de: 'Mein Bruder ist Arzt in der Stadt.', it: 'Mio fratello fa il dottore in città.', ko: '우리 형은 시내에서 의사예요.' },
    ],
  },
  {
    id: 'key',
    word: { en: 'key', es: 'llave', fr: 'clé', ja: 'かぎ', de: 'Schlüssel', it: 'chiave', ko: '열쇠' },
    sentences: [
      { en: "I can't find my key anywhere.", es: 'No encuentro mi llave por ningún lado.', fr: 'Je ne trouve ma clé nulle part.', ja: 'かぎが どこにも みつからない。', de: 'Ich finde meinen Schlüssel nirgends.', it: 'Non trovo la chiave da nessuna parte.', ko: '열쇠를 어디에서도 못 찾겠어요.' },
      { en: 'The key is under the mat.', es: 'La llave está debajo del felpudo.', fr: 'La clé est sous le paillasson.', ja: 'かぎは マットの したに ある。', de: 'Der Schlüssel liegt unter der Matte.', it: 'La chiave è sotto lo zerbino.', ko: '열쇠는 매트 아래에 있어요.' },
      { en: 'Give me the key to the car.', es: 'Dame la llave del coche.', fr: 'Donne-moi la clé de la voiture.', ja: 'くるまの かぎを ちょうだい。', de: 'Gib mir den Schlüssel für das Auto.', it: 'Dammi la chiave della macchina.', ko: '차 열쇠 좀 주세요.' },
    ],
  },
];

export interface Sentence { index: number; keyword: string; text: Row }

/** Every sentence, flattened, with a stable index. */
export const SENTENCES: Sentence[] = KEYWORDS.flatMap((k) => k.sentences.map((text) => ({ keyword: k.id, text }))).map((s, index) => ({ index, ...s }));

// Title names: "<adjective> <noun>" for movies, "<series>: <episode>" for episodes.
export const TITLE_ADJECTIVES = ['Silent', 'Broken', 'Golden', 'Last', 'Hidden', 'Crimson', 'Quiet', 'Distant', 'Frozen', 'Burning', 'Lost', 'Midnight', 'Paper', 'Northern', 'Hollow', 'Velvet'];
export const TITLE_NOUNS = ['Harbor', 'Station', 'Garden', 'Letter', 'Road', 'Winter', 'Kitchen', 'Bridge', 'Island', 'Promise', 'Signal', 'Orchard', 'Tower', 'Window', 'River', 'Summer'];
